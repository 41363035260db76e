#pragma once

#include "plugins/smart_routing/classifier.hpp"
#include "plugins/task_handler.hpp"

#include <functional>
#include <optional>
#include <string_view>

namespace nzl::plugins::smart_routing {

/// What the routing handlers need from the node, as plain functions so that
/// they do not depend on how the node keeps its handlers and statistics.
/// Both are called from any thread, on every decision: they must be cheap,
/// thread-safe and must not throw.
struct routing_dependencies {
  /// The handler registered for a type, or nullptr.
  std::function<task_handler*(std::string_view type)> find_handler;
  /// The handler's recent p95 latency in ms, or nullopt when unknown. May be
  /// empty (then latency is always unknown).
  std::function<std::optional<double>(std::string_view type)> recent_p95_ms;
  classifier_options options; ///< sync budget and inspection bound
};

/// Runs the classifier against the node: choose, look up the chosen
/// handler's availability and p95, decide.
[[nodiscard]] routing_decision route(const classifier& c, const routing_dependencies& deps,
                                     const nlohmann::json& payload);

/// `smart-routing`: answers the routing decision for its payload without
/// running anything: `{"handler", "complexity", "priority", "mode",
/// "expected_ms", "region", "reasons"}`. Cheap and pure: runs inline.
class smart_routing_handler final : public task_handler {
public:
  explicit smart_routing_handler(routing_dependencies deps);

  std::string_view type() const noexcept override { return "smart-routing"; }
  bool runs_inline(const nlohmann::json&) const noexcept override { return true; }
  result<nlohmann::json> run(nlohmann::json payload, handler_context& ctx) override;

private:
  routing_dependencies deps_;
  classifier classifier_;
};

/// `auto`: classifies its payload, runs the chosen handler with the same
/// payload and context, and answers `{"handler", "reasons", "complexity",
/// "result"}`. The chosen handler's error is the task's error (with the
/// extension "handler" added). Runs inline exactly when the chosen handler
/// would run this payload inline.
class auto_handler final : public task_handler {
public:
  explicit auto_handler(routing_dependencies deps);

  std::string_view type() const noexcept override { return "auto"; }
  bool runs_inline(const nlohmann::json& payload) const noexcept override;
  result<nlohmann::json> run(nlohmann::json payload, handler_context& ctx) override;

private:
  routing_dependencies deps_;
  classifier classifier_;
};

} // namespace nzl::plugins::smart_routing
