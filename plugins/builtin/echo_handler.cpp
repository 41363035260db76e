#include "plugins/builtin/echo_handler.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

namespace nzl::plugins::builtin {

namespace {
constexpr std::int64_t max_steps = 1000;
constexpr std::int64_t max_step_ms = 10000;
} // namespace

bool echo_handler::wants_steps(const nlohmann::json& payload) noexcept {
  return payload.is_object() && payload.contains("steps");
}

result<nlohmann::json> echo_handler::run(nlohmann::json payload, handler_context& ctx) {
  if (!wants_steps(payload))
    return payload;
  const auto& steps = payload["steps"];
  if (!steps.is_number_integer() || steps.get<std::int64_t>() < 0 ||
      steps.get<std::int64_t>() > max_steps)
    return fail(errc::invalid_field, "payload.steps must be an integer from 0 to 1000",
                {{"field", "payload.steps"}});
  std::int64_t step_ms = 0;
  if (auto i = payload.find("step_ms"); i != payload.end()) {
    if (!i->is_number_integer() || i->get<std::int64_t>() < 0 ||
        i->get<std::int64_t>() > max_step_ms)
      return fail(errc::invalid_field, "payload.step_ms must be an integer from 0 to 10000",
                  {{"field", "payload.step_ms"}});
    step_ms = i->get<std::int64_t>();
  }
  const auto n = steps.get<std::int64_t>();
  // Runs on an executor thread (runs_inline is false for stepped payloads), so
  // sleeping here blocks no io or scheduler thread.
  for (std::int64_t i = 1; i <= n; ++i) {
    if (ctx.cancelled())
      return fail(errc::task_cancelled, "echo cancelled at step " + std::to_string(i));
    // Sleep in short slices so that a cancel (deadline, DELETE, shutdown)
    // is seen within ~20 ms even for long steps.
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(step_ms);
    while (std::chrono::steady_clock::now() < until) {
      if (ctx.cancelled())
        return fail(errc::task_cancelled, "echo cancelled at step " + std::to_string(i));
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds(20), until - std::chrono::steady_clock::now()));
    }
    ctx.progress(static_cast<int>(i * 100 / n), "step " + std::to_string(i));
  }
  return payload;
}

} // namespace nzl::plugins::builtin
