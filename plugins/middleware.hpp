#pragma once

#include "plugins/task_handler.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string_view>

namespace nzl::plugins {

/// Code that runs around every task of every type. The chain is ordered by
/// `order()` (then by registration: built-ins first, then plugins in load
/// order): `before_task` runs in ascending order, `after_task` in descending
/// order (an onion). When a middleware refuses a task, the handler and the
/// later middleware do not run, and `after_task` runs for the earlier ones
/// with the refusal. Implementations must be thread-safe and must not throw
/// (a throw is caught and becomes an `errc::internal` error).
class middleware {
public:
  virtual ~middleware() = default;

  /// A unique name, shown by `GET /v3/plugins`.
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;

  /// Position in the chain; lower runs first before a task.
  [[nodiscard]] virtual std::int32_t order() const noexcept { return 0; }

  /// True when both hooks are microsecond-cheap and pure, so that a task of
  /// an inline-capable handler may still run inline with this middleware.
  [[nodiscard]] virtual bool runs_inline() const noexcept { return false; }

  /// Before the handler: returns the payload to run (changed or not), or an
  /// error that refuses the task.
  [[nodiscard]] virtual result<nlohmann::json>
  before_task(std::string_view type, nlohmann::json payload, handler_context& ctx) {
    (void)type;
    (void)ctx;
    return payload;
  }

  /// After the handler (or a refusal by a later middleware): returns the
  /// outcome the client sees (annotated, replaced or passed through).
  [[nodiscard]] virtual result<nlohmann::json>
  after_task(std::string_view type, result<nlohmann::json> outcome, handler_context& ctx) {
    (void)type;
    (void)ctx;
    return outcome;
  }
};

} // namespace nzl::plugins
