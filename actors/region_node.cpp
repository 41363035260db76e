// The region node actor owns what this node does with tasks: it admits jobs,
// hands them to idle executors or queues them (bounded), and enforces each
// job's deadline. Executors are detached actors (own threads), so a slow
// handler never blocks the CAF scheduler; they report back with done_atom.
// Invariants: every admitted job is answered exactly once (result, timeout,
// overload or shutdown: see internal::job); a worker is either idle or
// running one job. A crash loses only in-flight synchronous tasks, whose
// clients see the connection drop (durable tasks come with the storage issue).
#include "actors/region_node.hpp"

#include "actors/executor_queue.hpp"
#include "actors/internal/execute.hpp"
#include "actors/internal/mailbox_size.hpp"
#include "actors/internal/messages.hpp"

#include <caf/all.hpp>

#include <unordered_map>

namespace nzl::actors {

namespace {

using namespace internal;

caf::behavior executor(caf::event_based_actor* self, caf::actor owner) {
  return {
      [=](run_atom, const job_ptr& j) {
        if (!j->finished()) {
          auto value = execute(j->handler(), j->request(), j->region());
          j->finish(std::move(value));
        }
        self->send(owner, done_atom::value, caf::actor_cast<caf::actor>(self));
      },
  };
}

struct region_state {
  explicit region_state() : queue(0) {}
  executor_queue<job_ptr, caf::actor> queue;
  std::shared_ptr<std::atomic<std::uint32_t>> waiting;
  void publish_waiting() const {
    if (waiting)
      waiting->store(static_cast<std::uint32_t>(queue.waiting()), std::memory_order_relaxed);
  }
  std::unordered_map<caf::actor, job_weak_ptr> running; // by executor
  static inline const char* name = "region-node";
};

caf::behavior region_node(caf::stateful_actor<region_state>* self, region_node_config config) {
  self->state.queue = executor_queue<job_ptr, caf::actor>{config.max_waiting};
  self->state.waiting = config.waiting;
  for (unsigned i = 0; i < config.executor_threads; ++i) {
    auto worker =
        self->spawn<caf::detached + caf::linked>(executor, caf::actor_cast<caf::actor>(self));
    std::ignore = self->state.queue.release(worker, [](const job_ptr&) { return true; });
  }
  // Shutdown: ask every running handler to stop, so that the executors (and
  // with them the actor system) finish within the shutdown deadline.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    for (auto& [worker, weak] : self->state.running)
      if (auto j = weak.lock())
        j->request().cancel->cancel();
    self->quit(msg.reason);
  });
  return {
      // `cloudagent shell actors`: the size is read on this actor's own
      // thread, the only one CAF 0.17 lets read it.
      [self](nzl::actors::internal::mailbox_atom) -> std::uint64_t {
        return internal::mailbox_size(self);
      },
      [=](run_atom, job_ptr j) {
        // The timer holds a weak reference: a finished job is freed at once.
        self->delayed_send(self, j->timeout(), deadline_atom::value, job_weak_ptr{j});
        caf::actor worker;
        switch (self->state.queue.push(j, worker)) {
        case executor_queue<job_ptr, caf::actor>::admit::run_now:
          self->state.running[worker] = j;
          self->send(worker, run_atom::value, std::move(j));
          break;
        case executor_queue<job_ptr, caf::actor>::admit::queued:
          self->state.publish_waiting();
          break;
        case executor_queue<job_ptr, caf::actor>::admit::full:
          j->finish(fail(errc::overloaded, "every executor is busy and the queue is full",
                         {{"queue_capacity", self->state.queue.capacity()}}));
          break;
        }
      },
      [=](deadline_atom, const job_weak_ptr& weak) {
        if (auto j = weak.lock())
          j->expire();
      },
      [=](done_atom, caf::actor worker) {
        auto next =
            self->state.queue.release(worker, [](const job_ptr& j) { return !j->finished(); });
        if (next) {
          self->state.running[worker] = *next;
          self->send(worker, run_atom::value, std::move(*next));
        } else {
          self->state.running.erase(worker);
        }
        self->state.publish_waiting();
      },
  };
}

} // namespace

caf::actor spawn_region_node(caf::actor_system& sys, region_node_config config) {
  return sys.spawn(region_node, std::move(config));
}

} // namespace nzl::actors
