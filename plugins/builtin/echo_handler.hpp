#pragma once

#include "plugins/task_handler.hpp"

namespace nzl::plugins::builtin {

/// `echo`: the result is the payload. With `{"steps": N, "step_ms": M}` (both
/// small non-negative integers) it reports N progress steps M ms apart, so
/// clients and tests can watch a stream; such a task runs on the executor pool.
class echo_handler final : public task_handler {
public:
  std::string_view type() const noexcept override { return "echo"; }
  bool runs_inline(const nlohmann::json& payload) const noexcept override {
    return !wants_steps(payload);
  }
  result<nlohmann::json> run(nlohmann::json payload, handler_context& ctx) override;

  /// True when the payload asks for timed steps (then echo is not cheap).
  static bool wants_steps(const nlohmann::json& payload) noexcept;
};

} // namespace nzl::plugins::builtin
