#pragma once

#include "analytics/aggregator.hpp"
#include "analytics/anomaly_detector.hpp"

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace nzl::analytics {

// Pattern analysis (top task types and keys, peak hours, error clusters) and
// the recommendations derived from it. Pure functions of the aggregator's
// state and the time passed in.

struct ranked {
  std::string name;
  std::uint64_t count = 0;
  double share = 0; ///< of all samples of its kind in the window
};

struct pattern_report {
  std::int64_t window_ms = 0;
  std::vector<ranked> top_types; ///< task types by tasks run
  std::vector<ranked> top_keys;  ///< API keys by requests
  /// Samples per hour of the day (UTC) over the last 24 h, from 15-minute slots.
  std::array<std::uint64_t, 24> by_hour{};
  std::vector<int> peak_hours; ///< the busiest hours (UTC), busiest first, up to 3
  std::vector<aggregator::error_cluster> error_clusters; ///< most first
};

/// Finds the patterns of the window ending at `now_ms` (peak hours always
/// over the last 24 h); at most `top_n` entries per list.
[[nodiscard]] pattern_report find_patterns(const aggregator& agg, std::int64_t window_ms,
                                           std::int64_t now_ms, std::size_t top_n = 5);

[[nodiscard]] nlohmann::json to_json(const pattern_report& p);

struct recommendation_rules {
  double latency_ratio = 2.0;       ///< recent p95 / baseline p95 that is reported
  double error_rate = 0.01;         ///< a group's 5xx share that is reported
  double rate_limited_share = 0.30; ///< a key's refused share that is reported
  std::uint64_t min_count = 20;     ///< samples a group or key needs to be judged
};

/// Recommendations, one sentence each, from these rules:
///  - a task type's p95 in a region over the window is `latency_ratio` times
///    its median per-minute p95 of the hour before ("json-validator p95
///    doubled in eu-west since 14:00 (12.0 ms -> 25.3 ms)");
///  - a task type's error rate in a region is above `error_rate`, naming its
///    most frequent error code;
///  - a key is refused by its rate limit more than `rate_limited_share` of
///    the time ("key k_123 hits its rate limit 30% of the time");
///  - each traffic anomaly in `anomalies`.
/// Sorted by rule, then by name, so equal input gives equal output.
[[nodiscard]] std::vector<std::string> recommend(const aggregator& agg, std::int64_t window_ms,
                                                 std::int64_t now_ms,
                                                 const std::vector<anomaly>& anomalies,
                                                 const recommendation_rules& rules = {});

} // namespace nzl::analytics
