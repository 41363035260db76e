#pragma once

#include "actors/actor_probe.hpp"
#include "actors/queue/queue_config.hpp"
#include "actors/security_store.hpp"
#include "actors/webhook_dispatcher.hpp"
#include "net/task_service.hpp"
#include "plugins/handler_registry.hpp"

#include <caf/fwd.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nzl::net {
class analytics_service;
}

namespace nzl::actors {

struct runtime_options {
  std::string region;
  unsigned executor_threads = 2;
  unsigned scheduler_threads =
      2; ///< CAF scheduler threads (CAF's default of 4 is too many for 2 cores)
  std::size_t max_waiting = 1024; ///< tasks waiting for an executor before 503
  std::filesystem::path data_dir; ///< LMDB environment of durable tasks
  bool sync_writes = true;        ///< fdatasync every group commit (false: tests, benchmarks)
  queue_config queues;
  std::size_t max_queues = 256; ///< distinct queue names (each is an actor)
  /// Webhook delivery; without a client, webhook options are refused.
  webhook_config webhooks;
};

/// The node's actor system and the `net::task_service` the HTTP layer talks
/// to. Cheap, pure tasks (a handler's `runs_inline`) run on the calling io
/// thread; everything else goes to the region node actor and the executor
/// pool. Thread-safe. CAF stays inside the .cpp.
class node_runtime final : public net::task_service {
public:
  node_runtime(runtime_options options, std::shared_ptr<const plugins::handler_registry> handlers);
  ~node_runtime() override;
  node_runtime(const node_runtime&) = delete;
  node_runtime& operator=(const node_runtime&) = delete;

  /// Opens the data directory, spawns the actors and recovers every stored
  /// unfinished task; the node is ready afterwards. Fails (and the node must
  /// not start) on an unusable data directory.
  [[nodiscard]] result<bool> start();

  /// Opens the gateway's state (keys, nonces, buckets, audit) in this node's
  /// storage; after start(). Close it before stop().
  [[nodiscard]] result<std::unique_ptr<security_store>>
  open_security(security::node_key key, security_store_options options);

  /// Where durable tasks are measured when they finish (issue 11); null:
  /// not measured. `analytics` must outlive stop().
  void set_analytics(net::analytics_service* analytics) noexcept;

  /// Stops taking new tasks (`ready()` turns false); tasks in flight go on.
  void begin_drain() noexcept;

  /// Stops the actors; unanswered tasks are answered `unavailable`.
  void stop();

  void run(task_request request, outcome_handler done) override;
  void run_batch(std::vector<task_request> requests, batch_handler done) override;
  void enqueue(task_request request, json_handler done) override;
  void get_task(std::string id, json_handler done) override;
  void cancel_task(std::string id, json_handler done) override;
  void retry_task(std::string id, json_handler done) override;
  void queue_stats(std::string name, json_handler done) override;
  void idempotency_begin(std::string key, std::string fingerprint,
                         idempotency_handler done) override;
  void idempotency_finish(std::string key, std::optional<net::http_response> response,
                          std::function<void()> done) override;
  bool ready() const noexcept override;

  /// The names of the queues this node has (a queue exists from its first
  /// task, stored or new), sorted. Thread-safe.
  [[nodiscard]] std::vector<std::string> queue_names() const;

  /// One durable queue's tasks, as its actor last stored them.
  struct queue_depth {
    std::string queue;
    std::uint32_t waiting = 0; ///< queued or delayed, not yet running
    std::uint32_t running = 0;
  };
  /// Every queue's depth, sorted by name (GET /metrics). Thread-safe; reads
  /// counters the actors keep, with no round trip to them.
  [[nodiscard]] std::vector<queue_depth> queue_depths() const;

  /// Jobs waiting for an executor (synchronous tasks and running durable
  /// ones), for heartbeats and GET /metrics. Thread-safe, lock-free.
  [[nodiscard]] std::uint32_t executor_queue_depth() const noexcept;

  using actor_probe = actors::actor_probe;
  /// Asks each actor of the runtime for its mailbox size
  /// (internal::mailbox_atom; CAF 0.17's mailbox().size() may only be read
  /// on the actor's own thread, so each answers for itself) and times the
  /// answer. `done` is called exactly once, on a CAF thread, within about
  /// `timeout`. Never blocks.
  void probe_actors(std::chrono::milliseconds timeout, probe_done done);

  /// Group commits (flush points) of the storage so far; 0 before start.
  [[nodiscard]] std::uint64_t storage_commits() const noexcept;
  std::string_view region() const noexcept override;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace nzl::actors
