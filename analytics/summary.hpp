#pragma once

#include "analytics/latency_histogram.hpp"
#include "analytics/usage.hpp"
#include "core/result.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::analytics {

/// One series (task type × region × status class) over a window: what a node
/// exports to its peers for a cluster-wide query.
struct series_snapshot {
  sample_kind kind = sample_kind::task;
  std::string type;
  std::string region;
  status_class cls = status_class::ok;
  latency_histogram hist;
  usage use;
};

/// Group-by dimensions (bit set).
enum group_by : unsigned {
  group_none = 0,
  group_type = 1,
  group_region = 2,
  group_kind = 4,
};

/// Parses a comma-separated list of "type", "region" and "kind", or "" (no
/// grouping: one total group).
/// `errc::invalid_field` otherwise.
[[nodiscard]] result<unsigned> parse_group_by(std::string_view text);

/// A group's figures: counts, error rate and percentiles of the merged
/// histogram of its series (never an average of percentiles).
struct group_summary {
  std::string kind;   ///< "*" when not grouped by kind
  std::string type;   ///< "*" when not grouped by type
  std::string region; ///< "*" when not grouped by region
  latency_histogram hist;
  usage use;

  [[nodiscard]] double p_ms(double p) const noexcept { return hist.percentile(p) / 1000.0; }
};

/// The series of one kind only.
[[nodiscard]] std::vector<series_snapshot> only_kind(std::vector<series_snapshot> series,
                                                     sample_kind kind);

[[nodiscard]] std::string_view to_string(sample_kind k) noexcept;
/// Parses "http", "task", "websocket".
[[nodiscard]] result<sample_kind> parse_kind(std::string_view text);

/// Merges `series` into groups by `group_by`, sorted by kind, type, region.
/// With `group_none` there is exactly one group ("*", "*"), even when empty.
[[nodiscard]] std::vector<group_summary> summarize(const std::vector<series_snapshot>& series,
                                                   unsigned group_by);

/// The merge of the series whose type and region match (an empty filter
/// matches everything).
[[nodiscard]] group_summary summarize_matching(const std::vector<series_snapshot>& series,
                                               std::string_view type, std::string_view region);

/// A group as the API shows it: `{kind, type, region, count, errors, client_errors,
/// error_rate, rate_limited, p50_ms, p95_ms, p99_ms, mean_ms, max_ms,
/// bytes_in, bytes_out}` (kind/type/region omitted when "*").
[[nodiscard]] nlohmann::json to_json(const group_summary& g);

/// The answer of `GET /v3/analytics`: `{window, scope, generated_at, groups: [...]}`.
[[nodiscard]] nlohmann::json query_json(const std::vector<group_summary>& groups,
                                        std::int64_t window_ms, std::string_view scope,
                                        std::int64_t now_ms);

/// Upper bound on the series one export may carry.
inline constexpr std::size_t max_exported_series = 20'000;

/// Series as exchanged between nodes: `{"v":1,"window":"5m","series":[{type,
/// region, class, kind, hist, use}]}`.
[[nodiscard]] nlohmann::json export_json(const std::vector<series_snapshot>& series,
                                         std::int64_t window_ms);

/// Parses `export_json`'s form from a peer, checking every bound (names 1..47
/// characters, known class, valid histogram, at most max_exported_series).
/// `errc::invalid_field` otherwise.
[[nodiscard]] result<std::vector<series_snapshot>> import_json(const nlohmann::json& j);

} // namespace nzl::analytics
