#pragma once

#include "plugins/middleware.hpp"
#include "plugins/task_handler.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::plugins {

/// Call statistics of one handler, updated on every call without a lock
/// (relaxed atomics: readers see a recent, not an exact, picture).
///
/// Latency is sampled: a clock read costs about as much as a cheap handler
/// (echo) itself, so a call is timed when it is one of every
/// `sample_every`, or when the last timed call took `always_time_ns` or more
/// (then two clock reads are noise). Calls and errors are always counted.
class handler_stats {
public:
  /// Timed samples kept for `recent_p95_ms`.
  static constexpr std::size_t window = 128;
  static constexpr std::uint64_t sample_every = 16;
  static constexpr std::uint64_t always_time_ns = 20'000;

  /// Counts a call; returns its index (for `wants_timing`).
  std::uint64_t begin_call() noexcept { return calls_.fetch_add(1, std::memory_order_relaxed); }
  [[nodiscard]] bool wants_timing(std::uint64_t index) const noexcept {
    return index % sample_every == 0 || last_ns_.load(std::memory_order_relaxed) >= always_time_ns;
  }
  void record_latency(std::chrono::nanoseconds elapsed) noexcept;
  void record_error() noexcept { errors_.fetch_add(1, std::memory_order_relaxed); }

  /// All three of the above: one timed call.
  void record(std::chrono::nanoseconds elapsed, bool failed) noexcept;

  [[nodiscard]] std::uint64_t calls() const noexcept {
    return calls_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::uint64_t errors() const noexcept {
    return errors_.load(std::memory_order_relaxed);
  }
  /// Mean latency of the timed calls since start, 0 before the first.
  [[nodiscard]] double mean_ms() const noexcept;
  /// The 95th percentile of the last `window` timed calls; nullopt before
  /// the first. Costs a copy and a partial sort of `window` numbers.
  [[nodiscard]] std::optional<double> recent_p95_ms() const;

private:
  std::atomic<std::uint64_t> calls_{0};
  std::atomic<std::uint64_t> errors_{0};
  std::atomic<std::uint64_t> timed_{0};
  std::atomic<std::uint64_t> total_ns_{0};
  std::atomic<std::uint64_t> last_ns_{0};
  std::array<std::atomic<std::uint64_t>, window> recent_ns_{};
};

/// One plugin's contribution to a registry: its handlers and middleware.
struct plugin_set {
  std::string name;
  std::string version;
  std::string source; ///< the library's path ("builtin" for the built-ins)
  std::vector<std::shared_ptr<task_handler>> handlers;
  std::vector<std::shared_ptr<plugins::middleware>> middleware;
};

/// The task handlers and middleware a node knows. Built-ins are added at
/// start (`add`, `add_middleware`); external plugins are replaced as a whole
/// by `set_plugins` (start and every reload).
///
/// Thread safety: every const member may be called from any thread at any
/// time, also while a writer changes the registry; writers (`add`,
/// `add_middleware`, `set_plugins`) are serialised by an internal mutex. A
/// change builds a new immutable set and publishes it with one atomic store,
/// so a lookup sees either the old or the new set, never a mix.
///
/// Lifetime: the handler pointers `find` returns stay valid as long as the
/// registry lives, also after a reload removed the handler: every set ever
/// published is retained (a reload that changes nothing publishes nothing),
/// so a task that started before a reload finishes with the code it started
/// with, and no lookup pays for a reference count.
///
/// `find` returns the registry's wrapper around the handler: running it runs
/// the middleware chain (only when there is one) and records the call in the
/// handler's `handler_stats`.
class handler_registry {
public:
  /// `builtin_version` is shown as the built-ins' version by `describe`.
  explicit handler_registry(std::string builtin_version = {});
  ~handler_registry();
  handler_registry(const handler_registry&) = delete;
  handler_registry& operator=(const handler_registry&) = delete;

  /// Adds a built-in handler; false if its type name is taken.
  bool add(std::shared_ptr<task_handler> handler);

  /// Adds a built-in middleware; false if its name is taken.
  bool add_middleware(std::shared_ptr<middleware> mw);

  /// Replaces every plugin's handlers and middleware with `plugins` in one
  /// atomic step. Fails, changing nothing, when a type or middleware name
  /// appears twice (across built-ins and `plugins`) or a plugin is named
  /// "builtin".
  [[nodiscard]] result<bool> set_plugins(std::vector<plugin_set> plugins);

  /// The handler for `type`, or nullptr.
  [[nodiscard]] task_handler* find(std::string_view type) const noexcept;

  /// Every registered type name, sorted.
  [[nodiscard]] std::vector<std::string> types() const;

  /// The built-in type names and middleware names (for the plugin loader's
  /// duplicate check).
  [[nodiscard]] std::vector<std::string> builtin_types() const;
  [[nodiscard]] std::vector<std::string> builtin_middleware() const;

  /// Statistics of `type`'s handler, or nullptr. Valid as long as the registry.
  [[nodiscard]] const handler_stats* stats(std::string_view type) const noexcept;

  /// `stats(type)->recent_p95_ms()`: nullopt for an unknown type or before
  /// its first call. For routing decisions; costs about a microsecond.
  [[nodiscard]] std::optional<double> recent_p95_ms(std::string_view type) const;

  /// Middleware names in chain order.
  [[nodiscard]] std::vector<std::string> middleware_names() const;

  /// The body of `GET /v3/plugins`:
  /// `{"plugins":[{"name","version","source","handlers":[{"type","calls",
  /// "errors","mean_ms","p95_ms"}],"middleware":[{"name","order"}]}]}`,
  /// built-ins first (source "builtin"), then plugins in load order.
  [[nodiscard]] nlohmann::json describe() const;

  struct snapshot; // the published, immutable set (defined in the .cpp)

private:
  void publish(); // needs write_mutex_

  std::atomic<const snapshot*> current_{nullptr};
  // Guards everything below; taken by writers only, never on a task's path.
  mutable std::mutex write_mutex_;
  plugin_set builtins_;
  std::vector<plugin_set> plugins_;
  std::vector<std::unique_ptr<const snapshot>> published_;
};

/// Registers every built-in handler (echo, ...).
void add_builtin_handlers(handler_registry& registry);

} // namespace nzl::plugins
