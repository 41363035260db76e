#pragma once

#include "core/task.hpp"
#include "net/http_types.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::net {

/// The narrow interface through which net/ reaches the actor system (DESIGN:
/// net never includes actors/). Implemented by actors::node_runtime.
///
/// Completion callbacks may be called on any thread (the calling io thread
/// for inline tasks, an executor or scheduler thread otherwise) and exactly
/// once; the caller re-posts to its own strand.
class task_service {
public:
  using outcome_handler = std::function<void(task_outcome)>;
  using batch_handler = std::function<void(std::vector<task_outcome>)>;

  virtual ~task_service() = default;

  /// Runs one task. Unknown types, overload and timeouts come back as errors
  /// in the outcome, never as exceptions.
  virtual void run(task_request request, outcome_handler done) = 0;

  /// Runs tasks in parallel; outcomes come back in request order.
  virtual void run_batch(std::vector<task_request> requests, batch_handler done) = 0;

  using json_handler = std::function<void(result<nlohmann::json>)>;

  /// Stores a task durably (options.async) and answers `{"id", "status":
  /// "queued", "queue"}` once it is; errors: unknown type, overload (503),
  /// storage failure.
  virtual void enqueue(task_request request, json_handler done) = 0;

  /// The stored record of a durable task (errc::not_found if none).
  virtual void get_task(std::string id, json_handler done) = 0;

  /// Cancels a queued task, or asks a running one to stop.
  virtual void cancel_task(std::string id, json_handler done) = 0;

  /// Requeues a dead task.
  virtual void retry_task(std::string id, json_handler done) = 0;

  /// Depth, age and throughput of a queue (errc::not_found if unknown).
  virtual void queue_stats(std::string name, json_handler done) = 0;

  /// What to do with a request that carries an Idempotency-Key.
  enum class idempotency_verdict {
    proceed,     ///< first use of the key: run it, then call idempotency_finish
    replay,      ///< the key was used for the same request: answer the stored response
    mismatch,    ///< the key was used for a different request: 422
    busy,        ///< too many identical requests waiting for the first: 409, retry
    unavailable, ///< (cluster) the node that keeps the key did not answer: 503, retry
  };
  using idempotency_handler = std::function<void(idempotency_verdict, http_response)>;

  /// Looks up `key` (already scoped to the API client) with the request's
  /// `fingerprint`. While a first request with the key runs, identical ones
  /// wait for its answer and get it replayed: they never run twice.
  virtual void idempotency_begin(std::string key, std::string fingerprint,
                                 idempotency_handler done) = 0;

  /// Stores the answer of a `proceed` request (durably, for 24 h) and calls
  /// `done` once stored; `response` nullopt releases the key instead (the
  /// request failed in a way worth retrying).
  virtual void idempotency_finish(std::string key, std::optional<http_response> response,
                                  std::function<void()> done) = 0;

  /// True while the node takes new tasks (not starting, not draining).
  [[nodiscard]] virtual bool ready() const noexcept = 0;

  /// The region this node serves.
  [[nodiscard]] virtual std::string_view region() const noexcept = 0;
};

} // namespace nzl::net
