#include "actors/node_runtime.hpp"

#include <atomic>
#include <chrono>
#include <mutex>

#include <caf/all.hpp>

#include "actors/internal/execute.hpp"
#include "actors/internal/messages.hpp"
#include "actors/region_node.hpp"

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
      system(config) {
  }

  runtime_options options;
  std::shared_ptr<const plugins::handler_registry> handlers;
  runtime_config config;
  caf::actor_system system;
  caf::actor region_node;
  std::atomic<bool> ready{false};
};

node_runtime::node_runtime(runtime_options options,
                           std::shared_ptr<const plugins::handler_registry> handlers)
  : impl_(std::make_unique<impl>(std::move(options), std::move(handlers))) {
}

node_runtime::~node_runtime() {
  stop();
}

void node_runtime::start() {
  region_node_config cfg;
  cfg.region = impl_->options.region;
  cfg.executor_threads = impl_->options.executor_threads;
  cfg.max_waiting = impl_->options.max_waiting;
  impl_->region_node = spawn_region_node(impl_->system, std::move(cfg));
  impl_->ready.store(true);
}

void node_runtime::begin_drain() noexcept {
  impl_->ready.store(false);
}

void node_runtime::stop() {
  impl_->ready.store(false);
  // The handle stays set (io threads may still read it): messages to the
  // exited actor are dropped, and a dropped job answers `unavailable`.
  if (impl_->region_node)
    caf::anon_send_exit(impl_->region_node, caf::exit_reason::user_shutdown);
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

bool node_runtime::ready() const noexcept {
  return impl_->ready.load();
}

std::string_view node_runtime::region() const noexcept {
  return impl_->options.region;
}

} // namespace nzl::actors
