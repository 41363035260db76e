#pragma once

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <string_view>

namespace nzl::plugins {

/// What a running handler may see and do besides its payload. Implemented by
/// the runtime; valid only for the duration of `task_handler::run`.
class handler_context {
public:
  virtual ~handler_context() = default;

  /// Reports progress (0..100) with a short stage name. Cheap; may be called
  /// from the handler's thread as often as it likes (the runtime coalesces).
  virtual void progress(int percent, std::string_view stage) = 0;

  /// True once the client, a deadline or shutdown gave up on the task. A
  /// long-running handler checks it between steps and returns early.
  [[nodiscard]] virtual bool cancelled() const noexcept = 0;

  /// The region the task runs in.
  [[nodiscard]] virtual std::string_view region() const noexcept = 0;
};

/// A task handler: turns a payload into a result. Implementations must be
/// thread-safe: the runtime calls `run` from several threads at once.
/// Errors are returned, never thrown (a throw is caught by the runtime and
/// becomes an `errc::internal` problem, but counts as a handler bug).
class task_handler {
public:
  virtual ~task_handler() = default;

  /// The task type this handler serves, e.g. "echo".
  [[nodiscard]] virtual std::string_view type() const noexcept = 0;

  /// True when running this payload is cheap (a few microseconds) and pure:
  /// the runtime may then run it right on the thread that received the task
  /// instead of handing it to the executor pool (a hop costs ~10 us of CPU).
  [[nodiscard]] virtual bool runs_inline(const nlohmann::json& payload) const noexcept {
    (void)payload;
    return false;
  }

  /// Runs the task. Input errors are `errc::invalid_field` (400) or
  /// `errc::task_failed` (422); use extensions for machine-readable detail.
  [[nodiscard]] virtual result<nlohmann::json> run(nlohmann::json payload,
                                                   handler_context& ctx) = 0;
};

} // namespace nzl::plugins
