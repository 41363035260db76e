#pragma once

#include "core/task.hpp"
#include "net/task_service.hpp"
#include "plugins/task_handler.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace nzl::actors::internal {

/// One task on its way through the region node and the executor pool. The
/// first of {the handler's result, the deadline, shutdown} to arrive answers
/// the requester; the others find `finished` set and do nothing. That one
/// atomic is why a job is shared rather than owned by one actor.
class job {
public:
  job(task_request request, plugins::task_handler& handler, std::string region,
      net::task_service::outcome_handler done)
      : request_(std::move(request)), handler_(handler), region_(std::move(region)),
        done_(std::move(done)) {}

  /// A job dropped unanswered (shutdown) still answers, exactly once.
  ~job() { finish(fail(errc::unavailable, "the node shut down before the task ran")); }

  job(const job&) = delete;
  job& operator=(const job&) = delete;

  /// Answers the requester unless someone already did. Returns true if this
  /// call answered.
  bool finish(result<nlohmann::json> value) {
    if (finished_.exchange(true, std::memory_order_acq_rel))
      return false;
    task_outcome outcome;
    outcome.id = request_.id;
    outcome.type = request_.type;
    outcome.value = std::move(value);
    outcome.region = region_;
    outcome.duration_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - admitted_)
            .count();
    auto done = std::move(done_);
    done(std::move(outcome));
    return true;
  }

  /// The deadline passed: ask the handler to stop and answer with a timeout.
  void expire() {
    // Answer first: a handler that sees the cancel flag and returns must not
    // turn the timeout into a "cancelled".
    finish(fail(errc::task_timeout,
                "the task did not finish within " + std::to_string(timeout().count()) + " ms",
                {{"timeout_ms", timeout().count()}}));
    request_.cancel->cancel();
  }

  [[nodiscard]] bool finished() const noexcept { return finished_.load(std::memory_order_acquire); }
  [[nodiscard]] std::chrono::milliseconds timeout() const noexcept {
    return std::chrono::milliseconds(request_.options.timeout_ms.value_or(30'000));
  }
  [[nodiscard]] task_request& request() noexcept { return request_; }
  [[nodiscard]] plugins::task_handler& handler() noexcept { return handler_; }
  [[nodiscard]] const std::string& region() const noexcept { return region_; }

private:
  task_request request_;
  plugins::task_handler& handler_;
  std::string region_;
  net::task_service::outcome_handler done_;
  std::chrono::steady_clock::time_point admitted_ = std::chrono::steady_clock::now();
  std::atomic<bool> finished_{false};
};

using job_ptr = std::shared_ptr<job>;
using job_weak_ptr = std::weak_ptr<job>;

} // namespace nzl::actors::internal
