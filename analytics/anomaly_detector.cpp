#include "analytics/anomaly_detector.hpp"

#include "analytics/sliding_window.hpp"
#include "core/time.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <set>

namespace nzl::analytics {

std::string_view to_string(anomaly_kind k) noexcept {
  switch (k) {
  case anomaly_kind::latency:
    return "latency";
  case anomaly_kind::error_rate:
    return "error_rate";
  case anomaly_kind::traffic_spike:
    return "traffic_spike";
  case anomaly_kind::traffic_drop:
    return "traffic_drop";
  }
  return "latency";
}

nlohmann::json to_json(const anomaly& a) {
  return {{"series", a.series},     {"window", a.window},     {"kind", to_string(a.kind)},
          {"observed", a.observed}, {"baseline", a.baseline}, {"score", a.score},
          {"at", rfc3339(a.at_ms)}};
}

namespace {

double median_of(std::vector<double>& v) {
  if (v.empty())
    return 0;
  const auto mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  double m = v[mid];
  if (v.size() % 2 == 0) {
    const auto lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
    m = (m + lower) / 2;
  }
  return m;
}

} // namespace

robust_baseline baseline_of(std::vector<double> values) {
  robust_baseline b;
  b.median = median_of(values);
  for (auto& v : values)
    v = std::abs(v - b.median);
  b.mad = median_of(values);
  return b;
}

anomaly_detector::anomaly_detector() : anomaly_detector(options{}) {}
anomaly_detector::anomaly_detector(options opts) : opts_(opts) {}

std::vector<anomaly> anomaly_detector::check(std::string_view series,
                                             const std::vector<aggregator::point>& points,
                                             std::int64_t interval_ms) const {
  std::vector<anomaly> out;
  if (points.size() < opts_.min_history + 1)
    return out;
  const auto& now = points.back();
  const auto history_end = points.end() - 1;
  auto score = [&](double x, const robust_baseline& b) {
    const double spread =
        std::max(1.4826 * b.mad, opts_.min_relative_spread * std::abs(b.median) + 1e-9);
    return (x - b.median) / spread;
  };
  auto flag = [&](anomaly_kind kind, double observed, const robust_baseline& b, double z) {
    out.push_back(anomaly{std::string{series}, window_text(interval_ms), kind, observed, b.median,
                          z, now.start_ms});
  };

  // Latency and error rate: only intervals with enough samples say anything.
  std::vector<double> p95, rate;
  for (auto it = points.begin(); it != history_end; ++it)
    if (it->use.count >= opts_.min_count) {
      p95.push_back(it->hist.percentile(95) / 1000.0);
      rate.push_back(it->use.error_rate());
    }
  if (now.use.count >= opts_.min_count && p95.size() >= opts_.min_history) {
    const double x = now.hist.percentile(95) / 1000.0;
    const auto b = baseline_of(p95);
    const double z = score(x, b);
    if (z > opts_.threshold && x >= opts_.min_latency_ratio * b.median)
      flag(anomaly_kind::latency, x, b, z);
    const double r = now.use.error_rate();
    const auto br = baseline_of(rate);
    const double zr = score(r, br);
    if (zr > opts_.threshold && r - br.median >= opts_.min_error_rate_delta)
      flag(anomaly_kind::error_rate, r, br, zr);
  }

  // Traffic: every interval counts, empty ones included.
  std::vector<double> counts;
  for (auto it = points.begin(); it != history_end; ++it)
    counts.push_back(static_cast<double>(it->use.count));
  const auto bc = baseline_of(counts);
  const double c = static_cast<double>(now.use.count);
  const double zc = score(c, bc);
  if (zc > opts_.threshold && c >= opts_.min_traffic_ratio * std::max(bc.median, 1.0) &&
      c >= static_cast<double>(opts_.min_count))
    flag(anomaly_kind::traffic_spike, c, bc, zc);
  if (-zc > opts_.threshold && bc.median >= opts_.min_traffic_baseline &&
      c * opts_.min_traffic_ratio <= bc.median)
    flag(anomaly_kind::traffic_drop, c, bc, zc);
  return out;
}

std::vector<anomaly> anomaly_detector::scan(const aggregator& agg, std::int64_t now_ms) const {
  constexpr std::int64_t minute = 60'000;
  const std::int64_t last_complete = (now_ms / minute) * minute - 1;
  std::set<std::pair<std::string, std::string>> groups;
  for (const auto& s : agg.snapshot(3'600'000, now_ms))
    if (s.kind == sample_kind::task)
      groups.insert({s.type, s.region});
  std::vector<anomaly> out;
  // Minutes before the aggregator's first sample were not observed (the node
  // was not running): they are no history, or a node's first busy minute
  // would be a "traffic spike" over a baseline of zeros.
  const std::int64_t observed_from = (agg.first_sample_ms() / minute) * minute;
  auto run = [&](const std::string& type, const std::string& region) {
    auto tl = agg.timeline(type, region, 3'600'000, last_complete, 1, sample_kind::task);
    std::erase_if(tl, [&](const aggregator::point& p) { return p.start_ms < observed_from; });
    auto found =
        check((type.empty() ? "*" : type) + "/" + (region.empty() ? "*" : region), tl, minute);
    out.insert(out.end(), found.begin(), found.end());
  };
  run("", "");
  for (const auto& [type, region] : groups)
    run(type, region);
  return out;
}

} // namespace nzl::analytics
