#pragma once

#include "analytics/aggregator.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::analytics {

// Anomaly detection with a robust baseline: for each series the detector
// looks at per-interval values (1-minute slots of the last hour), takes the
// median and the median absolute deviation (MAD) of the history before the
// observed interval, and flags the observed value when its robust z-score
// |x - median| / (1.4826 * MAD) exceeds `threshold`. The median and MAD ignore
// a few outliers in the history, unlike a mean and standard deviation, so
// one past incident does not hide the next. A MAD of zero (a flat history)
// is floored at `min_relative_spread` of the median, and every kind has a
// practical minimum (ratio or delta) so tiny absolute changes never fire.
// Pure functions of their input: deterministic, no clock.

/// What an anomaly is about.
enum class anomaly_kind : std::uint8_t {
  latency,       ///< p95 of the interval far above its baseline
  error_rate,    ///< 5xx share far above its baseline
  traffic_spike, ///< request count far above its baseline
  traffic_drop,  ///< request count far below its baseline
};

[[nodiscard]] std::string_view to_string(anomaly_kind k) noexcept;

struct anomaly {
  std::string series; ///< "type/region" ("*" for all)
  std::string window; ///< the interval's length, e.g. "1m"
  anomaly_kind kind = anomaly_kind::latency;
  double observed = 0;    ///< ms for latency, a fraction for error rate, a count for traffic
  double baseline = 0;    ///< the median of the history
  double score = 0;       ///< robust z-score
  std::int64_t at_ms = 0; ///< start of the observed interval
};

[[nodiscard]] nlohmann::json to_json(const anomaly& a);

/// Median and MAD of `values` (both 0 when empty).
struct robust_baseline {
  double median = 0;
  double mad = 0;
};
[[nodiscard]] robust_baseline baseline_of(std::vector<double> values);

class anomaly_detector {
public:
  struct options {
    std::size_t min_history = 10;       ///< intervals of history needed
    double threshold = 5.0;             ///< robust z-score that flags
    double min_relative_spread = 0.05;  ///< MAD floor, as a share of the median
    std::uint64_t min_count = 20;       ///< samples an interval needs for latency/error rate
    double min_latency_ratio = 1.5;     ///< observed p95 / baseline needed
    double min_error_rate_delta = 0.01; ///< observed - baseline error rate needed
    double min_traffic_ratio = 2.0;     ///< spike: observed / baseline; drop: baseline / observed
    double min_traffic_baseline = 20;   ///< a drop needs at least this many per interval normally
  };

  anomaly_detector();
  explicit anomaly_detector(options opts);

  /// Checks one series: `points` oldest first, the last one being the observed
  /// interval (which should be complete).
  [[nodiscard]] std::vector<anomaly> check(std::string_view series,
                                           const std::vector<aggregator::point>& points,
                                           std::int64_t interval_ms) const;

  /// Checks every task type × region of `agg` (and the total) over the last
  /// hour of 1-minute slots, the observed one being the last complete minute
  /// before `now_ms`. Minutes before the aggregator's first sample are not
  /// history (so a node needs `min_history` minutes before anything is flagged).
  [[nodiscard]] std::vector<anomaly> scan(const aggregator& agg, std::int64_t now_ms) const;

private:
  options opts_;
};

} // namespace nzl::analytics
