#pragma once

#include "analytics/aggregator.hpp"
#include "analytics/anomaly_detector.hpp"
#include "analytics/cost_model.hpp"
#include "analytics/patterns.hpp"
#include "core/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::analytics {

// Reports: everything the analytics know about a window, in JSON, CSV or a
// self-contained HTML page (inline CSS and SVG charts, no script, no external
// asset), for `GET /v3/analytics/report?format=...` and `cloudagent report`.

enum class report_format : std::uint8_t { json, csv, html };

/// Parses "json", "csv", "html"; `errc::invalid_field` otherwise.
[[nodiscard]] result<report_format> parse_report_format(std::string_view text);
/// "application/json", "text/csv; charset=utf-8", "text/html; charset=utf-8".
[[nodiscard]] std::string_view content_type(report_format f) noexcept;

struct report {
  std::string node;  ///< node or cluster name for the title
  std::string scope; ///< "node" or "cluster"
  std::int64_t window_ms = 0;
  std::int64_t now_ms = 0;
  std::vector<group_summary> groups;       ///< by type and region (tasks)
  group_summary total;                     ///< all tasks
  std::vector<aggregator::point> timeline; ///< of all tasks, in the window's tier
  cost_report costs;
  pattern_report patterns;
  std::vector<anomaly> anomalies;
  std::vector<std::string> recommendations;
};

/// Builds a report of the local aggregator over the window ending at `now_ms`.
[[nodiscard]] report build_report(const aggregator& agg, std::string node, std::int64_t window_ms,
                                  std::int64_t now_ms, const price_model& prices,
                                  std::uint64_t stored_bytes,
                                  const anomaly_detector& detector = anomaly_detector{},
                                  const recommendation_rules& rules = {});

/// The report as text in `f`. JSON: `{node, scope, window, generated_at,
/// total, groups, timeline, costs, patterns, anomalies, recommendations}`.
/// CSV: one row per group (`type,region,count,errors,error_rate,p50_ms,p95_ms,
/// p99_ms,bytes_in,bytes_out,cost_usd`), RFC 4180 quoting. HTML: a page with
/// charts of throughput and p95 over the window, top types, peak hours, and
/// tables of groups, costs, errors, anomalies and recommendations; every
/// name is HTML-escaped.
[[nodiscard]] std::string render(const report& r, report_format f);

} // namespace nzl::analytics
