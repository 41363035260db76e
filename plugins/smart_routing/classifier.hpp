#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::plugins::smart_routing {

/// What a bounded look at a payload found. Sizes are estimates when
/// `exact` is false (the walk stopped at `classifier_options::max_nodes`).
struct payload_shape {
  std::size_t bytes = 0;     ///< approximate serialised size
  std::size_t values = 0;    ///< JSON values (containers' sizes are read, not walked, past the cap)
  std::size_t depth = 0;     ///< deepest nesting seen
  bool exact = true;         ///< the walk saw every value
  std::size_t units = 0;     ///< handler-specific work: text bytes, image bytes, endpoints, ...
  std::size_t waves = 0;     ///< api-tester: rounds of checks (endpoints / concurrency)
  double max_timeout_ms = 0; ///< api-tester: the largest per-endpoint timeout
};

/// Step 1: the handler that fits the payload and why.
struct routing_choice {
  std::string
      handler; ///< "api-tester", "json-validator", "image-metadata", "text-analysis", "echo"
  std::vector<std::string> reasons;
  payload_shape shape;
};

/// The recent behaviour of the chosen handler on this node (a snapshot).
struct routing_stats {
  bool available = true;        ///< registered on this node
  std::optional<double> p95_ms; ///< recent p95 latency; none when unknown
};

/// Step 2: the decision a `smart-routing` task answers.
struct routing_decision {
  std::string handler;
  double complexity = 0;  ///< 0..1, rounded to 3 decimals
  std::string priority;   ///< "high" (< 0.35), "normal" (< 0.7), "low"
  bool async = false;     ///< expected_ms > sync budget
  double expected_ms = 0; ///< the estimate the mode was chosen by
  std::vector<std::string> reasons;
};

struct classifier_options {
  double sync_budget_ms = 30'000; ///< longer expected runs are routed async
  std::size_t max_nodes = 256;    ///< JSON values inspected at most per payload
};

/// Complexity-based routing as a pure function of the payload and a
/// snapshot of handler statistics (docs/smart-routing.md has the rules).
///
/// Cost: bounded by `max_nodes` values whatever the payload's size; strings
/// are measured, never scanned (only the first 16 characters of an image
/// field are decoded to recognise its format); the payload is never copied.
/// Immutable after construction, so safe to share between threads.
class classifier {
public:
  explicit classifier(classifier_options options = {});

  /// Which handler should run `payload`. Precedence: `endpoints` (a
  /// non-empty array) → api-tester; `schema` (object or boolean) with `data`
  /// → json-validator; `image` / `image_base64` (a string), or a string
  /// `data` that starts with a known image signature → image-metadata;
  /// `text` (a non-empty string) → text-analysis; anything else → echo.
  [[nodiscard]] routing_choice choose(const nlohmann::json& payload) const;

  /// Complexity, priority and mode for a choice. When the handler is not
  /// available, the decision is echo (with a reason saying so).
  [[nodiscard]] routing_decision decide(routing_choice choice, const routing_stats& stats) const;

  [[nodiscard]] const classifier_options& options() const noexcept { return options_; }

  /// The static time estimate (ms) for a handler and payload shape, used
  /// when no recent latency is known (and as its lower bound otherwise).
  [[nodiscard]] static double estimate_ms(std::string_view handler, const payload_shape& shape);

  /// Priority name for a complexity.
  [[nodiscard]] static std::string_view priority_for(double complexity) noexcept;

private:
  classifier_options options_;
};

/// The decision as the `smart-routing` handler answers it.
[[nodiscard]] nlohmann::json to_json(const routing_decision& decision, std::string_view region);

} // namespace nzl::plugins::smart_routing
