// The queue actor: a "durable object" that alone owns one named queue.
//
// Model: the records of every unfinished task of the queue live in memory
// (`records`) and in LMDB (table tasks, key = id); `order` decides which
// waiting task runs next (task_queue: priorities by weighted round robin,
// clients by turns, delays aside). Every state change is written through the
// storage writer; an enqueue is answered 202 only after its record is
// durable. Transitions: queued -> running -> completed | failed (retry
// scheduled, back to queued when due) | dead (retries used up) | cancelled.
//
// Invariants: at most `concurrency` tasks of this queue run at once; a task
// is in `order` iff its status is queued or failed; `records` holds exactly
// the unfinished tasks. Backlog over `max_backlog` is shed with 503 instead
// of growing the mailbox.
//
// A crash loses no acknowledged task: at restart the runtime scans the
// table and hands every unfinished record back (recover); a task that was
// running runs again (handlers are at-least-once), a completed one never.
// Final tasks are purged `result_ttl_ms` after finishing.
#include "actors/queue/queue_actor.hpp"

#include "actors/internal/mailbox_size.hpp"
#include "actors/internal/messages.hpp"
#include "actors/internal/queue_messages.hpp"
#include "actors/queue/task_queue.hpp"
#include "core/log.hpp"
#include "core/problem.hpp"
#include "core/time.hpp"
#include "net/analytics_service.hpp"
#include "storage/write_batch.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <deque>
#include <queue>
#include <random>
#include <unordered_map>
#include <unordered_set>

namespace nzl::actors {

namespace {

using namespace internal;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto tick_interval = 500ms;
constexpr auto write_timeout = 30s;

struct queue_state {
  queue_actor_deps deps;
  task_queue order{0};
  std::unordered_map<std::string, task_record> records;
  std::unordered_map<std::string, std::shared_ptr<cancel_flag>> running;
  std::unordered_set<std::string> cancel_requested; // running tasks a client cancelled
  // Final tasks whose webhook is being delivered, as last written: attempts
  // are appended here and the whole record persisted, so a delivery never
  // writes back an older state of the task.
  std::unordered_map<std::string, task_record> webhook_pending;
  std::priority_queue<std::pair<std::int64_t, std::string>,
                      std::vector<std::pair<std::int64_t, std::string>>, std::greater<>>
      purge;
  std::deque<std::int64_t> finished_times; // last 60 s of completions, for throughput
  std::uint64_t completed_total = 0;
  std::uint64_t dead_total = 0;
  std::int64_t last_progress_ms = 0;
  bool stalled = false;
  bool tick_scheduled = false;
  std::mt19937_64 rng{std::random_device{}()};
  static inline const char* name = "queue";
};

using self_ptr = caf::stateful_actor<queue_state>*;

// The queue's depth for readers on other threads (GET /metrics).
void publish_depth(const queue_state& st) {
  if (!st.deps.depth)
    return;
  st.deps.depth->waiting.store(static_cast<std::uint32_t>(st.order.size()),
                               std::memory_order_relaxed);
  st.deps.depth->running.store(static_cast<std::uint32_t>(st.running.size()),
                               std::memory_order_relaxed);
}

batch_ptr record_batch(const task_record& r) {
  auto b = std::make_shared<storage::write_batch>();
  b->put(storage::table::tasks, r.id, r.encode());
  return b;
}

// Writes a record; calls `then(ok)` once durable (or failed).
template <class F> void persist(self_ptr self, const task_record& r, F then) {
  self->request(self->state.deps.writer, write_timeout, write_atom::value, record_batch(r))
      .then([then](ok_atom) mutable { then(true); },
            [self, then, id = r.id](caf::error& e) mutable {
              log::emit(log::level::error, "task_write_failed", R"("task":{},"error":{})",
                        log::quote(id), log::quote(self->system().render(e)));
              then(false);
            });
}

// A wrong request or an unknown type fails the same way every time:
// retrying it only delays the verdict.
bool is_retryable(errc code) noexcept {
  return code != errc::invalid_field && code != errc::unknown_task_type &&
         code != errc::invalid_json;
}

void ensure_tick(self_ptr self) {
  if (!self->state.tick_scheduled) {
    self->state.tick_scheduled = true;
    self->delayed_send(self, tick_interval, tick_atom::value);
  }
}

void dispatch(self_ptr self);

void finish_final(self_ptr self, task_record& r) {
  auto& st = self->state;
  r.expires_ms = r.finished_ms + st.deps.config.result_ttl_ms;
  st.purge.emplace(r.expires_ms, r.id);
  if (!r.webhook.empty() && st.deps.webhooks) {
    st.webhook_pending[r.id] = r;
    self->send(st.deps.webhooks, deliver_atom::value, std::make_shared<task_record>(r),
               caf::actor_cast<caf::actor>(self));
  }
  persist(self, r, [](bool) {});
  auto id = r.id; // r lives in records: copy the key before erasing it
  st.records.erase(id);
  ensure_tick(self);
}

// One durable task's sample for the analytics, once it is final: its run
// time (started to finished) and outcome, as the HTTP layer measures a
// synchronous task.
void measure_final(const queue_state& st, const task_record& r, const error* err) noexcept {
  auto* analytics =
      st.deps.analytics ? st.deps.analytics->load(std::memory_order_acquire) : nullptr;
  if (!analytics)
    return;
  net::measurement m;
  m.what = net::measurement::kind::task;
  m.durable = true;
  m.type = r.type;
  m.region = st.deps.region;
  m.key_id = r.client == "anonymous" ? std::string_view{} : std::string_view{r.client};
  const auto run_ms =
      r.started_ms > 0 && r.finished_ms >= r.started_ms ? r.finished_ms - r.started_ms : 0;
  m.latency_us = static_cast<std::uint32_t>(std::min<std::int64_t>(run_ms, 4'000'000) * 1000);
  if (err) {
    m.status = static_cast<std::uint16_t>(problem_type_of(err->code).status);
    m.error_code = static_cast<std::uint8_t>(1 + static_cast<unsigned>(err->code));
  }
  analytics->record(m);
}

void on_finished(self_ptr self, const std::string& id, task_outcome& outcome) {
  auto& st = self->state;
  st.running.erase(id);
  publish_depth(st);
  auto it = st.records.find(id);
  if (it == st.records.end()) {
    st.cancel_requested.erase(id);
    return;
  }
  auto& r = it->second;
  auto now = unix_ms_now();
  st.last_progress_ms = now;
  r.finished_ms = now;
  if (outcome.value) {
    r.status = task_status::completed;
    r.result = std::move(outcome.value).value();
    r.error = nullptr;
    ++st.completed_total;
    st.finished_times.push_back(now);
    measure_final(st, r, nullptr);
    finish_final(self, r);
  } else {
    const auto& err = outcome.value.err();
    r.error = json{{"code", to_string(err.code)}, {"detail", err.detail}};
    if (err.code == errc::task_cancelled && st.cancel_requested.erase(id)) {
      r.status = task_status::cancelled;
      measure_final(st, r, &err);
      finish_final(self, r);
    } else if (err.code == errc::task_cancelled || err.code == errc::unavailable) {
      // Stopped by shutdown, not by a client: the task waits for the next
      // run (here, or after the restart) as if it had never started.
      r.status = task_status::queued;
      r.finished_ms = 0;
      r.attempts = r.attempts > 0 ? r.attempts - 1 : 0;
      r.not_before_ms = now + 1'000; // not at once: the executors may be going away
      st.order.push(queue_entry{r.id, r.client, r.prio, r.created_ms, r.not_before_ms});
      persist(self, r, [](bool) {});
    } else if (r.attempts <= r.max_retries && is_retryable(err.code)) {
      r.status = task_status::failed;
      r.finished_ms = 0;
      std::uniform_real_distribution<double> unit{0.0, 1.0};
      r.not_before_ms = now + retry_backoff_ms(r.attempts, st.deps.config.retry_base_ms,
                                               st.deps.config.retry_cap_ms, unit(st.rng));
      st.order.push(queue_entry{r.id, r.client, r.prio, r.created_ms, r.not_before_ms});
      persist(self, r, [](bool) {});
      ensure_tick(self);
    } else {
      r.status = task_status::dead;
      ++st.dead_total;
      measure_final(st, r, &err);
      finish_final(self, r);
    }
  }
  dispatch(self);
}

void start(self_ptr self, task_record& r) {
  auto& st = self->state;
  auto* handler = st.deps.handlers->find(r.type);
  r.status = task_status::running;
  r.started_ms = unix_ms_now();
  ++r.attempts;
  if (!handler) {
    task_outcome out;
    out.value = fail(errc::unknown_task_type, "no handler for task type '" + r.type + "'");
    r.max_retries = 0; // retrying cannot help
    on_finished(self, r.id, out);
    return;
  }
  // Not waiting for this write: a crash before it is durable leaves the task
  // queued, and it runs again, as it would if the crash came a moment later.
  persist(self, r, [](bool) {});
  task_request req;
  req.id = r.id;
  req.type = r.type;
  req.payload = r.payload;
  req.options.timeout_ms = r.timeout_ms;
  req.request_id = "queue:" + st.deps.name;
  st.running[r.id] = req.cancel;
  auto me = caf::actor_cast<caf::actor>(self);
  auto job = std::make_shared<internal::job>(
      std::move(req), *handler, st.deps.region, [me, id = r.id](task_outcome out) {
        caf::anon_send(me, finished_atom::value, id,
                       std::make_shared<task_outcome>(std::move(out)));
      });
  self->send(st.deps.region_node, run_atom::value, std::move(job));
}

void dispatch(self_ptr self) {
  auto& st = self->state;
  auto now = unix_ms_now();
  while (st.running.size() < st.deps.config.concurrency) {
    auto next = st.order.pop(now);
    if (!next)
      break;
    auto it = st.records.find(next->id);
    if (it == st.records.end())
      continue;
    start(self, it->second);
  }
  if (st.order.size() > 0)
    ensure_tick(self);
  publish_depth(st);
}

void purge_expired(self_ptr self) {
  auto& st = self->state;
  auto now = unix_ms_now();
  std::shared_ptr<storage::write_batch> batch;
  while (!st.purge.empty() && st.purge.top().first <= now) {
    if (!batch)
      batch = std::make_shared<storage::write_batch>();
    batch->erase(storage::table::tasks, st.purge.top().second);
    st.purge.pop();
  }
  if (batch)
    self->request(st.deps.writer, write_timeout, write_atom::value, batch)
        .then([](ok_atom) {}, [](caf::error&) {});
  while (!st.finished_times.empty() && st.finished_times.front() < now - 60'000)
    st.finished_times.pop_front();
}

// Due tasks that nobody runs for too long mean stuck or missing executors.
void watch_progress(self_ptr self) {
  auto& st = self->state;
  auto now = unix_ms_now();
  bool has_due = st.order.has_due(now);
  if (!has_due)
    st.last_progress_ms = now;
  bool stalled = has_due && now - st.last_progress_ms > st.deps.config.stuck_after_ms;
  if (stalled != st.stalled) {
    st.stalled = stalled;
    st.deps.stalled_queues->fetch_add(stalled ? 1 : -1);
    log::emit(stalled ? log::level::error : log::level::info,
              stalled ? "queue_stalled" : "queue_progressing",
              R"("queue":{},"running":{},"waiting":{},"since_progress_ms":{})",
              log::quote(st.deps.name), st.running.size(), st.order.size(),
              now - st.last_progress_ms);
  }
}

json stats(self_ptr self) {
  auto& st = self->state;
  auto now = unix_ms_now();
  auto depth = st.order.depth_by_priority();
  json by_priority = json::object();
  for (std::size_t p = 0; p < priority_count; ++p)
    by_priority[std::string{to_string(static_cast<priority>(p))}] = depth[p];
  std::size_t queued = 0, failed = 0;
  for (const auto& [id, r] : st.records) {
    if (r.status == task_status::queued)
      ++queued;
    else if (r.status == task_status::failed)
      ++failed;
  }
  std::size_t last_minute = 0;
  for (auto t : st.finished_times)
    last_minute += t >= now - 60'000 ? 1 : 0;
  auto oldest = st.order.oldest_enqueued();
  return json{
      {"name", st.deps.name},
      {"depth",
       {{"queued", queued},
        {"running", st.running.size()},
        {"failed_awaiting_retry", failed},
        {"delayed", st.order.delayed()},
        {"by_priority", by_priority}}},
      {"oldest_waiting_ms", oldest ? now - *oldest : 0},
      {"throughput",
       {{"completed_last_60s", last_minute},
        {"per_second", static_cast<double>(last_minute) / 60.0}}},
      {"totals", {{"completed", st.completed_total}, {"dead", st.dead_total}}},
      {"limits",
       {{"max_backlog", st.deps.config.max_backlog}, {"concurrency", st.deps.config.concurrency}}},
      {"stalled", st.stalled}};
}

void admit(self_ptr self, task_record r) {
  auto& st = self->state;
  st.order.push(queue_entry{r.id, r.client, r.prio, r.created_ms, r.not_before_ms});
  st.records.emplace(r.id, std::move(r));
}

caf::behavior queue_actor(self_ptr self, queue_actor_deps deps) {
  self->state.order = task_queue{deps.config.max_backlog};
  self->state.deps = std::move(deps);
  self->state.last_progress_ms = unix_ms_now();
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (self->state.stalled)
      self->state.deps.stalled_queues->fetch_sub(1);
    // Shutdown: running handlers are asked to stop. Their tasks stay
    // "running" in storage and run again after the restart.
    for (auto& [id, flag] : self->state.running)
      flag->cancel();
    self->quit(msg.reason);
  });
  return {
      // `cloudagent shell actors`: the size is read on this actor's own
      // thread, the only one CAF 0.17 lets read it.
      [self](nzl::actors::internal::mailbox_atom) -> std::uint64_t {
        return internal::mailbox_size(self);
      },
      [=](enqueue_atom, const record_ptr& rec, const json_reply& reply) {
        auto& st = self->state;
        if (st.order.full())
          return reply(
              fail(errc::overloaded,
                   "queue '" + st.deps.name + "' holds " + std::to_string(st.order.size()) +
                       " waiting tasks, its limit",
                   {{"queue", st.deps.name}, {"max_backlog", st.deps.config.max_backlog}}));
        auto r = *rec;
        persist(self, r, [self, r, reply](bool ok) mutable {
          if (!ok)
            return reply(fail(errc::storage_failed, "the task could not be stored"));
          json body{{"id", r.id}, {"status", "queued"}, {"queue", r.queue}};
          if (r.not_before_ms > r.created_ms)
            body["run_at"] = rfc3339(r.not_before_ms);
          admit(self, std::move(r));
          reply(std::move(body));
          dispatch(self);
        });
      },
      [=](recover_atom, const record_ptr& rec) {
        auto r = *rec;
        if (is_final(r.status)) {
          self->state.purge.emplace(r.expires_ms, r.id);
          ensure_tick(self);
          return;
        }
        if (r.status == task_status::running)
          r.status = task_status::queued; // interrupted by a crash: runs again
        admit(self, std::move(r));
        dispatch(self);
      },
      [=](finished_atom, const std::string& id, const outcome_ptr& out) {
        on_finished(self, id, *out);
      },
      [=](cancel_atom, const std::string& id, const json_reply& reply) {
        auto& st = self->state;
        auto it = st.records.find(id);
        if (it == st.records.end())
          return reply(fail(errc::conflict, "task " + id + " is already finished", {{"id", id}}));
        auto& r = it->second;
        if (r.status == task_status::running) {
          if (auto f = st.running.find(id); f != st.running.end()) {
            st.cancel_requested.insert(id);
            f->second->cancel();
          }
          return reply(json{{"id", id},
                            {"status", "running"},
                            {"cancel_requested", true},
                            {"detail", "the running task was asked to stop; see GET /v3/tasks/" +
                                           id + " for its final status"}});
        }
        auto was = std::string{to_string(r.status)};
        st.order.remove(id);
        publish_depth(st);
        r.status = task_status::cancelled;
        r.finished_ms = unix_ms_now();
        finish_final(self, r);
        reply(json{{"id", id}, {"status", "cancelled"}, {"was", was}});
      },
      [=](retry_atom, const record_ptr& rec, const json_reply& reply) {
        // The caller read the record from storage: only dead tasks come back.
        auto r = *rec;
        auto& st = self->state;
        if (st.records.count(r.id) || r.status != task_status::dead)
          return reply(fail(errc::conflict,
                            "only dead tasks can be retried; task " + r.id + " is " +
                                std::string{to_string(r.status)},
                            {{"id", r.id}, {"task_status", to_string(r.status)}}));
        st.webhook_pending.erase(r.id);
        r.status = task_status::queued;
        r.attempts = 0;
        r.not_before_ms = unix_ms_now();
        r.started_ms = r.finished_ms = r.expires_ms = 0;
        persist(self, r, [self, r, reply](bool ok) mutable {
          if (!ok)
            return reply(fail(errc::storage_failed, "the task could not be stored"));
          json body{{"id", r.id}, {"status", "queued"}, {"queue", r.queue}};
          admit(self, std::move(r));
          reply(std::move(body));
          dispatch(self);
        });
      },
      [=](attempt_atom, const std::string& id, std::int64_t finished_ms, const json& entry,
          bool last) {
        // A webhook attempt of a finished task: recorded with the task, unless
        // the task started a new life (retry) since that delivery began.
        auto& pending = self->state.webhook_pending;
        auto it = pending.find(id);
        if (it == pending.end() || it->second.finished_ms != finished_ms)
          return;
        it->second.webhook_attempts.push_back(entry);
        persist(self, it->second, [](bool) {});
        if (last)
          pending.erase(it);
      },
      [=](stats_atom, const json_reply& reply) { reply(stats(self)); },
      [=](tick_atom) {
        self->state.tick_scheduled = false;
        purge_expired(self);
        watch_progress(self);
        dispatch(self);
        auto& st = self->state;
        if (!st.purge.empty() || st.order.size() > 0 || !st.running.empty())
          ensure_tick(self);
      },
  };
}

} // namespace

caf::actor spawn_queue_actor(caf::actor_system& sys, queue_actor_deps deps) {
  return sys.spawn(queue_actor, std::move(deps));
}

} // namespace nzl::actors
