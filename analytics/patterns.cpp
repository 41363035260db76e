#include "analytics/patterns.hpp"

#include "analytics/sliding_window.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

namespace nzl::analytics {

namespace {

std::vector<ranked> rank(const std::map<std::string, std::uint64_t>& counts, std::size_t top_n) {
  const auto total = std::accumulate(counts.begin(), counts.end(), std::uint64_t{0},
                                     [](auto acc, const auto& e) { return acc + e.second; });
  std::vector<ranked> out;
  for (const auto& [name, n] : counts)
    out.push_back(ranked{name, n, total == 0 ? 0.0 : static_cast<double>(n) / total});
  std::sort(out.begin(), out.end(), [](const ranked& a, const ranked& b) {
    return a.count != b.count ? a.count > b.count : a.name < b.name;
  });
  if (out.size() > top_n)
    out.resize(top_n);
  return out;
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string hh_mm(std::int64_t unix_ms) {
  const auto minutes = (unix_ms / 60'000) % (24 * 60);
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(minutes / 60),
                static_cast<int>(minutes % 60));
  return buf;
}

} // namespace

pattern_report find_patterns(const aggregator& agg, std::int64_t window_ms, std::int64_t now_ms,
                             std::size_t top_n) {
  pattern_report p;
  p.window_ms = window_ms;
  std::map<std::string, std::uint64_t> types, keys;
  for (const auto& s : agg.snapshot(window_ms, now_ms))
    if (s.kind == sample_kind::task)
      types[s.type] += s.use.count;
  for (const auto& k : agg.keys(window_ms, now_ms))
    keys[k.key] += k.use.count;
  p.top_types = rank(types, top_n);
  p.top_keys = rank(keys, top_n);

  for (const auto& pt : agg.timeline("", "", max_window_ms, now_ms, 2))
    p.by_hour[static_cast<std::size_t>((pt.start_ms / 3'600'000) % 24)] += pt.use.count;
  std::vector<int> hours(24);
  std::iota(hours.begin(), hours.end(), 0);
  std::stable_sort(hours.begin(), hours.end(), [&](int a, int b) {
    return p.by_hour[static_cast<std::size_t>(a)] > p.by_hour[static_cast<std::size_t>(b)];
  });
  for (int i = 0; i < 3; ++i)
    if (p.by_hour[static_cast<std::size_t>(hours[static_cast<std::size_t>(i)])] > 0)
      p.peak_hours.push_back(hours[static_cast<std::size_t>(i)]);

  p.error_clusters = agg.errors(window_ms, now_ms);
  if (p.error_clusters.size() > top_n)
    p.error_clusters.resize(top_n);
  return p;
}

nlohmann::json to_json(const pattern_report& p) {
  auto ranked_json = [](const std::vector<ranked>& v, const char* field) {
    auto arr = nlohmann::json::array();
    for (const auto& r : v)
      arr.push_back({{field, r.name}, {"count", r.count}, {"share", r.share}});
    return arr;
  };
  auto clusters = nlohmann::json::array();
  for (const auto& c : p.error_clusters)
    clusters.push_back(
        {{"code", c.code}, {"type", c.type}, {"region", c.region}, {"count", c.count}});
  return {{"window", window_text(p.window_ms)},
          {"top_types", ranked_json(p.top_types, "type")},
          {"top_keys", ranked_json(p.top_keys, "key")},
          {"by_hour_utc", p.by_hour},
          {"peak_hours_utc", p.peak_hours},
          {"error_clusters", std::move(clusters)}};
}

std::vector<std::string> recommend(const aggregator& agg, std::int64_t window_ms,
                                   std::int64_t now_ms, const std::vector<anomaly>& anomalies,
                                   const recommendation_rules& rules) {
  std::vector<std::string> latency, errors, keys, traffic;
  const auto recent = summarize(only_kind(agg.snapshot(window_ms, now_ms), sample_kind::task),
                                group_type | group_region);
  const auto clusters = agg.errors(window_ms, now_ms);
  for (const auto& g : recent) {
    if (g.use.count < rules.min_count)
      continue;
    // Latency against the median per-minute p95 of the hour before the window.
    const auto tl = agg.timeline(g.type, g.region, 3'600'000, now_ms, 1, sample_kind::task);
    std::vector<double> before;
    for (const auto& pt : tl)
      if (pt.start_ms + 60'000 <= now_ms - window_ms && pt.use.count >= rules.min_count)
        before.push_back(pt.hist.percentile(95));
    if (before.size() >= 5) {
      const double base = baseline_of(before).median;
      const double now_p95 = g.hist.percentile(95);
      if (base > 0 && now_p95 >= rules.latency_ratio * base) {
        // Since: the first minute of the trailing run above the ratio.
        std::int64_t since = tl.back().start_ms;
        for (auto it = tl.rbegin(); it != tl.rend(); ++it) {
          if (it->use.count == 0)
            continue;
          if (it->hist.percentile(95) < rules.latency_ratio * base)
            break;
          since = it->start_ms;
        }
        const double ratio = now_p95 / base;
        const std::string how =
            ratio < 2.5 && rules.latency_ratio <= 2.0 ? "doubled" : "rose " + fixed(ratio, 1) + "x";
        latency.push_back(g.type + " p95 " + how + " in " + g.region + " since " + hh_mm(since) +
                          " UTC (" + fixed(base / 1000.0, 1) + " ms -> " +
                          fixed(now_p95 / 1000.0, 1) + " ms)");
      }
    }
    if (g.use.error_rate() > rules.error_rate) {
      std::string code;
      for (const auto& c : clusters)
        if (c.type == g.type && c.region == g.region && c.code.rfind("http_4", 0) != 0) {
          code = c.code;
          break;
        }
      errors.push_back(g.type + " error rate " + fixed(100.0 * g.use.error_rate(), 1) + "% in " +
                       g.region + " over the last " + window_text(window_ms) +
                       (code.empty() ? "" : " (mostly " + code + ")"));
    }
  }
  for (const auto& k : agg.keys(window_ms, now_ms)) {
    if (k.use.count < rules.min_count)
      continue;
    const double share = static_cast<double>(k.use.rate_limited) / static_cast<double>(k.use.count);
    if (share > rules.rate_limited_share)
      keys.push_back("key " + k.key + " hits its rate limit " +
                     fixed(std::floor(100.0 * share), 0) + "% of the time");
  }
  for (const auto& a : anomalies) {
    if (a.kind == anomaly_kind::traffic_spike)
      traffic.push_back("traffic of " + a.series + " jumped to " + fixed(a.observed, 0) + " per " +
                        a.window + " (usually " + fixed(a.baseline, 0) + ")");
    else if (a.kind == anomaly_kind::traffic_drop)
      traffic.push_back("traffic of " + a.series + " fell to " + fixed(a.observed, 0) + " per " +
                        a.window + " (usually " + fixed(a.baseline, 0) + ")");
  }
  std::vector<std::string> out;
  for (auto* list : {&latency, &errors, &keys, &traffic}) {
    std::sort(list->begin(), list->end());
    out.insert(out.end(), list->begin(), list->end());
  }
  return out;
}

} // namespace nzl::analytics
