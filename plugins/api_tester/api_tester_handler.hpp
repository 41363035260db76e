#pragma once

#include "plugins/api_tester/check_plan.hpp"
#include "plugins/task_handler.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace nzl::net::outbound {
class http_client;
}

namespace nzl::plugins::api_tester {

/// `api-tester`: checks several HTTP(S) endpoints concurrently and reports,
/// per endpoint, status, latency, pass/fail and why, and a summary
/// (docs/api-tester.md). Every call goes through the node's outbound client,
/// which enforces the manifest's egress rules after DNS resolution and on
/// every redirect hop, verifies certificates and caps bodies; a refused
/// destination is a failed check with reason `egress_denied`, not a task
/// error.
///
/// run() blocks its (executor) thread until every check finished or the
/// task was cancelled; the checks themselves run on the client's threads,
/// at most `concurrency` at once. A progress step is reported after each
/// finished check. Cancellation stops the waiting and answers
/// errc::task_cancelled; calls still in flight finish (within their
/// timeouts) on the client without anyone waiting for them.
///
/// Thread-safe: run() keeps no state between calls.
class api_tester_handler final : public task_handler {
public:
  using clock_fn = std::function<std::int64_t()>; ///< wall clock, unix seconds

  /// `client` must outlive every run(); a null client fails every task with
  /// errc::unavailable.
  explicit api_tester_handler(std::shared_ptr<net::outbound::http_client> client,
                              api_tester_limits limits = {}, clock_fn now_unix = {});

  std::string_view type() const noexcept override { return "api-tester"; }
  result<nlohmann::json> run(nlohmann::json payload, handler_context& ctx) override;

  [[nodiscard]] const api_tester_limits& limits() const noexcept { return limits_; }

private:
  std::shared_ptr<net::outbound::http_client> client_;
  api_tester_limits limits_;
  clock_fn now_unix_;
  /// How often a waiting run() looks at ctx.cancelled() (the context has no
  /// notification).
  std::chrono::milliseconds cancel_poll_{50};
};

} // namespace nzl::plugins::api_tester
