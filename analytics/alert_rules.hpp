#pragma once

#include "analytics/aggregator.hpp"
#include "core/result.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nzl::analytics {

// Alert rules from the manifest, evaluated against the aggregator with the
// time passed in. Each rule has a state machine:
//
//   inactive --condition true--> pending(since) --true for `for`--> firing
//   pending  --condition false--> inactive            (no event)
//   firing   --condition false--> inactive            ("resolved" event)
//
// A rule with `for` = 0 fires on the first evaluation that sees the
// condition. Only firing and resolving produce events; the node sends each to
// the `alerts` WebSocket channel, the optional webhook and the log. A series
// without samples in the window does not meet a latency or error-rate
// condition (quiet is not failing). State lives in memory: a restart forgets
// firing alerts (they fire again if the condition holds).

enum class alert_kind : std::uint8_t {
  p95_over,        ///< p95 latency of the window above `threshold` ms
  error_rate_over, ///< 5xx share of the window above `threshold` (0..1)
  region_down,     ///< the region `region` is down (from the cluster's peer states)
};

struct alert_rule {
  std::string name; ///< 1..64 characters
  alert_kind kind = alert_kind::p95_over;
  double threshold = 0;
  std::int64_t for_ms = 0;         ///< how long the condition must hold
  std::int64_t window_ms = 60'000; ///< the window the value is computed over
  std::string type;                ///< task type filter ("" any)
  std::string region;              ///< region filter ("" any); required for region_down
  std::uint64_t min_count = 1;     ///< samples the window needs before p95/error rate count
};

/// Parses a manifest rule: `{"name", "kind": "p95_over"|"error_rate_over"|
/// "region_down", "threshold_ms" (p95_over) | "threshold" (error_rate_over,
/// 0..1), "for": "5m", "window": "1m", "type", "region", "min_count"}`.
/// `errc::invalid_field` naming the field otherwise.
[[nodiscard]] result<alert_rule> alert_rule_from_json(const nlohmann::json& j);

/// Parses the manifest's `analytics.alerts` array (at most 100 rules, unique names).
[[nodiscard]] result<std::vector<alert_rule>> alert_rules_from_json(const nlohmann::json& j);

[[nodiscard]] std::string_view to_string(alert_kind k) noexcept;

struct alert_event {
  std::string rule;
  alert_kind kind = alert_kind::p95_over;
  bool firing = true; ///< false: resolved
  double value = 0;   ///< the value that decided (ms, rate, or 1 for down)
  double threshold = 0;
  std::string type;
  std::string region;
  std::int64_t since_ms = 0; ///< when the condition began to hold
  std::int64_t at_ms = 0;    ///< when this event happened
  /// False when it resolved because the window had no samples (`value` is
  /// then null in JSON, not the last value, which was over the threshold).
  bool has_value = true;
};

/// `{"rule", "kind", "state": "firing"|"resolved", "value" (null: no data),
/// "threshold", "type", "region", "since", "at"}`.
[[nodiscard]] nlohmann::json to_json(const alert_event& e);

class alert_engine {
public:
  explicit alert_engine(std::vector<alert_rule> rules);

  /// Evaluates every rule; `regions_down` lists regions the cluster sees down.
  /// Returns the events of this evaluation (fired and resolved), in rule order.
  std::vector<alert_event> evaluate(const aggregator& agg,
                                    const std::vector<std::string>& regions_down,
                                    std::int64_t now_ms);

  /// The state machine alone: `values[i]` is rule i's current value, nullopt
  /// when there is no data; the condition is value > threshold (for
  /// region_down: value > 0).
  std::vector<alert_event> step(const std::vector<std::optional<double>>& values,
                                std::int64_t now_ms);

  /// The alerts firing now, as the "firing" events that began them (`at` is
  /// when each fired; `value` the latest value seen).
  [[nodiscard]] std::vector<alert_event> firing() const;

  [[nodiscard]] const std::vector<alert_rule>& rules() const noexcept { return rules_; }

private:
  enum class state : std::uint8_t { inactive, pending, firing };
  struct rule_state {
    state st = state::inactive;
    std::int64_t since_ms = 0;
    std::int64_t fired_ms = 0; ///< when it began to fire (the "at" of firing())
    double value = 0;
  };
  std::vector<alert_rule> rules_;
  std::vector<rule_state> states_;
};

} // namespace nzl::analytics
