#include "actors/node_runtime.hpp"

#include "actors/idempotency_actor.hpp"
#include "actors/internal/execute.hpp"
#include "actors/internal/messages.hpp"
#include "actors/internal/queue_messages.hpp"
#include "actors/queue/queue_actor.hpp"
#include "actors/queue/task_record.hpp"
#include "actors/region_node.hpp"
#include "actors/storage_writer.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "storage/environment.hpp"
#include "storage/read_txn.hpp"

#include <caf/all.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>

namespace nzl::actors {

namespace {

class runtime_config : public caf::actor_system_config {
public:
  explicit runtime_config(unsigned scheduler_threads) {
    set("scheduler.max-threads", static_cast<std::size_t>(scheduler_threads));
    // Work-sharing does not spin when idle (the stealing policy burns CPU on
    // a 2-core machine); see ../shared/notes/cluster-lessons.md point 10.
    set("scheduler.policy", caf::atom("sharing"));
    set("logger.verbosity", caf::atom("quiet"));
  }
};

task_outcome unknown_type(task_request& request, const plugins::handler_registry& handlers,
                          std::string_view region) {
  task_outcome outcome;
  outcome.id = request.id;
  outcome.type = request.type;
  outcome.region = std::string{region};
  auto known = handlers.types();
  std::string list;
  for (const auto& t : known)
    list += (list.empty() ? "" : ", ") + t;
  outcome.value = fail(errc::unknown_task_type,
                       "no handler for task type '" + request.type + "'; known types: " + list,
                       {{"known_types", known}});
  return outcome;
}

} // namespace

struct node_runtime::impl {
  impl(runtime_options opts, std::shared_ptr<const plugins::handler_registry> h)
      : options(std::move(opts)), handlers(std::move(h)), config(options.scheduler_threads),
        system(config) {}

  /// The queue actor for `name`, spawned on first use; invalid past max_queues.
  caf::actor queue(const std::string& name);

  runtime_options options;
  std::shared_ptr<const plugins::handler_registry> handlers;
  runtime_config config;
  caf::actor_system system;
  std::shared_ptr<storage::environment> env;
  caf::actor region_node;
  caf::actor writer;
  caf::actor webhooks;
  caf::actor idempotency;
  std::shared_ptr<std::atomic<int>> stalled_queues = std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<std::atomic<net::analytics_service*>> analytics =
      std::make_shared<std::atomic<net::analytics_service*>>(nullptr);
  std::atomic<bool> ready{false};
  // Guards `queues` only: looked up per durable request from io threads,
  // changed when a new queue name first appears.
  std::mutex queues_mutex;
  std::map<std::string, caf::actor, std::less<>> queues;
  std::map<std::string, std::shared_ptr<queue_actor_deps::gauges>, std::less<>> queue_gauges;
  std::shared_ptr<std::atomic<std::uint32_t>> executor_waiting =
      std::make_shared<std::atomic<std::uint32_t>>(0);
};

caf::actor node_runtime::impl::queue(const std::string& name) {
  std::lock_guard guard{queues_mutex};
  if (auto it = queues.find(name); it != queues.end())
    return it->second;
  if (queues.size() >= options.max_queues)
    return {};
  queue_actor_deps deps;
  deps.name = name;
  deps.region = options.region;
  deps.config = options.queues;
  deps.handlers = handlers;
  deps.writer = writer;
  deps.region_node = region_node;
  deps.webhooks = webhooks;
  deps.stalled_queues = stalled_queues;
  deps.analytics = analytics;
  deps.depth = std::make_shared<queue_actor_deps::gauges>();
  queue_gauges.emplace(name, deps.depth);
  auto actor = spawn_queue_actor(system, std::move(deps));
  queues.emplace(name, actor);
  return actor;
}

namespace {

// Reads one stored record on the calling thread (an LMDB read transaction:
// no lock, no disk wait beyond page faults of a memory-mapped file).
result<task_record> load_record(const storage::environment& env, const std::string& id) {
  if (id.empty() || id.size() > 64)
    return fail(errc::not_found, "no task " + id);
  auto txn = env.begin_read();
  if (!txn)
    return fail(errc::storage_failed, txn.err().detail);
  auto value = txn->get(storage::table::tasks, id);
  if (!value)
    return fail(errc::storage_failed, value.err().detail);
  if (!*value)
    return fail(errc::not_found, "no task " + id, {{"id", id}});
  auto record = task_record::decode(**value);
  if (!record)
    return fail(errc::storage_failed, "the stored record of task " + id + " is unreadable");
  return std::move(*record);
}

} // namespace

node_runtime::node_runtime(runtime_options options,
                           std::shared_ptr<const plugins::handler_registry> handlers)
    : impl_(std::make_unique<impl>(std::move(options), std::move(handlers))) {}

node_runtime::~node_runtime() {
  stop();
}

result<bool> node_runtime::start() {
  auto& d = *impl_;
  storage::env_options eo;
  eo.dir = d.options.data_dir;
  eo.sync = d.options.sync_writes;
  auto env = storage::environment::open(eo);
  if (!env)
    return std::move(env).err();
  d.env = std::shared_ptr<storage::environment>(std::move(*env));
  d.writer = spawn_storage_writer(d.system, d.env);
  region_node_config cfg;
  cfg.region = d.options.region;
  cfg.executor_threads = d.options.executor_threads;
  cfg.max_waiting = d.options.max_waiting;
  cfg.waiting = d.executor_waiting;
  d.region_node = spawn_region_node(d.system, std::move(cfg));
  d.idempotency = spawn_idempotency_actor(d.system, d.env, d.writer, idempotency_config{});
  if (d.options.webhooks.client)
    d.webhooks = spawn_webhook_dispatcher(d.system, d.options.webhooks);

  // Recovery: every stored task goes back to its queue actor; unfinished
  // ones run (again), final ones wait for their purge time.
  auto txn = d.env->begin_read();
  if (!txn)
    return std::move(txn).err();
  std::size_t recovered = 0;
  std::size_t unreadable = 0;
  auto scanned =
      txn->scan(storage::table::tasks, "", [&](std::string_view, std::string_view value) {
        auto record = task_record::decode(value);
        if (!record) {
          ++unreadable;
          return true;
        }
        auto q = d.queue(record->queue);
        if (q) {
          recovered += is_final(record->status) ? 0 : 1;
          caf::anon_send(q, internal::recover_atom::value,
                         std::make_shared<task_record>(std::move(*record)));
        }
        return true;
      });
  if (!scanned)
    return std::move(scanned).err();
  log::emit(log::level::info, "recovered",
            R"("unfinished_tasks":{},"stored_tasks":{},"unreadable":{})", recovered, *scanned,
            unreadable);
  d.ready.store(true);
  return true;
}

void node_runtime::enqueue(task_request request, json_handler done) {
  auto& d = *impl_;
  if (!d.handlers->find(request.type)) {
    auto out = unknown_type(request, *d.handlers, d.options.region);
    return done(std::move(out.value).err());
  }
  if (!request.options.webhook.empty() && !d.webhooks)
    return done(fail(errc::invalid_field, "webhooks are not enabled on this node",
                     {{"field", "options.webhook"}}));
  auto q = d.queue(request.options.queue);
  if (!q)
    return done(fail(errc::overloaded,
                     "this node serves at most " + std::to_string(d.options.max_queues) + " queues",
                     {{"field", "options.queue"}}));
  auto r = std::make_shared<task_record>();
  r->id = request.id;
  r->queue = request.options.queue;
  r->type = request.type;
  r->payload = std::move(request.payload);
  r->options = request.options.extra;
  r->prio = parse_priority(request.options.priority).value_or(priority::normal);
  r->client = request.client;
  r->max_retries = request.options.max_retries.value_or(d.options.queues.default_max_retries);
  r->timeout_ms = request.options.timeout_ms.value_or(30'000);
  r->created_ms = unix_ms_now();
  r->not_before_ms = std::max(r->created_ms, request.options.run_at_ms.value_or(0));
  r->webhook = request.options.webhook;
  caf::anon_send(q, internal::enqueue_atom::value, std::move(r), json_reply{std::move(done)});
}

void node_runtime::get_task(std::string id, json_handler done) {
  auto record = load_record(*impl_->env, id);
  if (!record)
    return done(std::move(record).err());
  done(record->to_api_json());
}

void node_runtime::cancel_task(std::string id, json_handler done) {
  auto record = load_record(*impl_->env, id);
  if (!record)
    return done(std::move(record).err());
  if (is_final(record->status))
    return done(fail(errc::conflict,
                     "task " + id + " is already " + std::string{to_string(record->status)},
                     {{"id", id}, {"task_status", to_string(record->status)}}));
  auto q = impl_->queue(record->queue);
  if (!q)
    return done(fail(errc::unavailable, "the task's queue is not available"));
  caf::anon_send(q, internal::cancel_atom::value, std::move(id), json_reply{std::move(done)});
}

void node_runtime::retry_task(std::string id, json_handler done) {
  auto record = load_record(*impl_->env, id);
  if (!record)
    return done(std::move(record).err());
  auto q = impl_->queue(record->queue);
  if (!q)
    return done(fail(errc::unavailable, "the task's queue is not available"));
  caf::anon_send(q, internal::retry_atom::value, std::make_shared<task_record>(std::move(*record)),
                 json_reply{std::move(done)});
}

void node_runtime::queue_stats(std::string name, json_handler done) {
  auto& d = *impl_;
  caf::actor q;
  {
    std::lock_guard guard{d.queues_mutex};
    if (auto it = d.queues.find(name); it != d.queues.end())
      q = it->second;
  }
  if (!q)
    return done(
        fail(errc::not_found, "no queue named '" + name + "' on this node", {{"queue", name}}));
  caf::anon_send(q, internal::stats_atom::value, json_reply{std::move(done)});
}

std::vector<std::string> node_runtime::queue_names() const {
  std::vector<std::string> names;
  std::lock_guard guard{impl_->queues_mutex};
  names.reserve(impl_->queues.size());
  for (const auto& [name, q] : impl_->queues)
    names.push_back(name); // the map keeps them sorted
  return names;
}

std::vector<node_runtime::queue_depth> node_runtime::queue_depths() const {
  std::vector<queue_depth> out;
  std::lock_guard guard{impl_->queues_mutex};
  out.reserve(impl_->queue_gauges.size());
  for (const auto& [name, g] : impl_->queue_gauges)
    out.push_back({name, g->waiting.load(std::memory_order_relaxed),
                   g->running.load(std::memory_order_relaxed)});
  return out;
}

std::uint32_t node_runtime::executor_queue_depth() const noexcept {
  return impl_->executor_waiting->load(std::memory_order_relaxed);
}

void node_runtime::probe_actors(std::chrono::milliseconds timeout, probe_done done) {
  auto& d = *impl_;
  std::vector<std::pair<std::string, caf::actor>> targets;
  for (auto [name, a] :
       {std::pair{"region_node", &d.region_node}, std::pair{"storage_writer", &d.writer},
        std::pair{"webhooks", &d.webhooks}, std::pair{"idempotency", &d.idempotency}})
    if (*a)
      targets.emplace_back(name, *a);
  {
    std::lock_guard guard{d.queues_mutex};
    for (const auto& [name, q] : d.queues)
      targets.emplace_back("queue:" + name, q);
  }
  if (targets.empty())
    return done({});
  // One short-lived actor sends every probe and answers when the last one
  // is back or has timed out (each request has its own timeout and error
  // handler, so the actor always ends).
  struct gather {
    std::vector<actor_probe> rows;
    std::size_t left = 0;
    probe_done done;
  };
  auto g = std::make_shared<gather>();
  g->left = targets.size();
  g->done = std::move(done);
  for (const auto& t : targets)
    g->rows.push_back({t.first, std::nullopt, std::nullopt});
  // `g` goes as a spawn argument: CAF 0.17 dereferences a null argument
  // tuple when a function actor is spawned without any (UBSan reports it).
  auto probe = [targets = std::move(targets), timeout](caf::event_based_actor* self,
                                                       std::shared_ptr<gather> state) {
    const auto start = std::chrono::steady_clock::now();
    auto g = std::move(state);
    auto finish = [g, self] {
      if (--g->left == 0) {
        g->done(std::move(g->rows));
        self->quit();
      }
    };
    for (std::size_t i = 0; i < targets.size(); ++i)
      self->request(targets[i].second, timeout, internal::mailbox_atom::value)
          .then(
              [g, i, start, finish](std::uint64_t mailbox) {
                g->rows[i].wait_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                         std::chrono::steady_clock::now() - start)
                                         .count();
                g->rows[i].mailbox = mailbox;
                finish();
              },
              [finish](caf::error&) { finish(); });
  };
  d.system.spawn(probe, std::move(g));
}

result<std::unique_ptr<security_store>>
node_runtime::open_security(security::node_key key, security_store_options options) {
  auto& d = *impl_;
  if (!d.env)
    return fail(errc::internal, "open_security before start");
  return security_store::open(d.system, d.env, d.writer, std::move(key), options);
}

void node_runtime::set_analytics(net::analytics_service* analytics) noexcept {
  impl_->analytics->store(analytics, std::memory_order_release);
}

void node_runtime::begin_drain() noexcept {
  impl_->ready.store(false);
}

void node_runtime::stop() {
  impl_->ready.store(false);
  // The handles stay set (io threads may still read them): messages to an
  // exited actor are dropped, and a dropped job answers `unavailable`.
  // Queues go first so that their last writes reach the writer.
  std::vector<caf::actor> queues;
  {
    std::lock_guard guard{impl_->queues_mutex};
    for (auto& [name, q] : impl_->queues)
      queues.push_back(q);
  }
  for (auto& q : queues)
    caf::anon_send_exit(q, caf::exit_reason::user_shutdown);
  for (auto* a : {&impl_->region_node, &impl_->webhooks, &impl_->idempotency, &impl_->writer})
    if (*a)
      caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
}

void node_runtime::run(task_request request, outcome_handler done) {
  auto& d = *impl_;
  auto* handler = d.handlers->find(request.type);
  if (!handler)
    return done(unknown_type(request, *d.handlers, d.options.region));
  if (handler->runs_inline(request.payload)) {
    // Cheap and pure: run here, on the io thread, instead of paying two
    // thread hand-offs (~10-13 us of CPU) for an actor round trip.
    auto start = std::chrono::steady_clock::now();
    task_outcome outcome;
    outcome.id = request.id;
    outcome.type = request.type;
    outcome.region = d.options.region;
    outcome.value = internal::execute(*handler, request, d.options.region);
    outcome.duration_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return done(std::move(outcome));
  }
  auto j = std::make_shared<internal::job>(std::move(request), *handler, d.options.region,
                                           std::move(done));
  caf::anon_send(d.region_node, internal::run_atom::value, std::move(j));
}

void node_runtime::run_batch(std::vector<task_request> requests, batch_handler done) {
  auto& d = *impl_;
  // Collects outcomes by index; the last one to arrive answers. Outcomes come
  // from several threads, hence the mutex (held only to store one outcome).
  struct collector {
    std::mutex mutex;
    std::vector<task_outcome> outcomes;
    std::size_t left;
    batch_handler done;
  };
  auto c = std::make_shared<collector>();
  c->outcomes.resize(requests.size());
  c->left = requests.size();
  c->done = std::move(done);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    auto& request = requests[i];
    auto store = [c, i](task_outcome outcome) {
      batch_handler finish;
      {
        std::lock_guard guard{c->mutex};
        c->outcomes[i] = std::move(outcome);
        if (--c->left == 0)
          finish = std::move(c->done);
      }
      if (finish)
        finish(std::move(c->outcomes));
    };
    auto* handler = d.handlers->find(request.type);
    if (!handler) {
      store(unknown_type(request, *d.handlers, d.options.region));
      continue;
    }
    // A batch runs in parallel on the executor pool, inline-capable or not.
    auto j = std::make_shared<internal::job>(std::move(request), *handler, d.options.region,
                                             std::move(store));
    caf::anon_send(d.region_node, internal::run_atom::value, std::move(j));
  }
}

void node_runtime::idempotency_begin(std::string key, std::string fingerprint,
                                     idempotency_handler done) {
  actors::idempotency_begin(impl_->idempotency, std::move(key), std::move(fingerprint),
                            std::move(done));
}

void node_runtime::idempotency_finish(std::string key, std::optional<net::http_response> response,
                                      std::function<void()> done) {
  actors::idempotency_finish(impl_->idempotency, std::move(key), std::move(response),
                             std::move(done));
}

std::uint64_t node_runtime::storage_commits() const noexcept {
  return impl_->env ? impl_->env->commits() : 0;
}

bool node_runtime::ready() const noexcept {
  // Not ready while draining, and not while a queue has due tasks that no
  // executor takes (stuck handlers): a load balancer should send work elsewhere.
  return impl_->ready.load() && impl_->stalled_queues->load() == 0;
}

std::string_view node_runtime::region() const noexcept {
  return impl_->options.region;
}

} // namespace nzl::actors
