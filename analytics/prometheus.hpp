#pragma once

#include "analytics/aggregator.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nzl::analytics {

// The Prometheus text exposition format (version 0.0.4): `# HELP` and `# TYPE`
// once per family, then its samples; label values escaped (\\, \", \n);
// metric names [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*
// and not starting with "__"; counters end in `_total`; durations in
// seconds. A family's samples must be written together, right after
// `family()`.

using labels = std::vector<std::pair<std::string, std::string>>;

[[nodiscard]] bool valid_metric_name(std::string_view name) noexcept;
[[nodiscard]] bool valid_label_name(std::string_view name) noexcept;
/// Escapes a label value: backslash, double quote and newline.
[[nodiscard]] std::string escape_label_value(std::string_view value);

class metrics_writer {
public:
  /// Starts a family: `type` is "counter", "gauge" or "histogram". Returns
  /// false (and writes nothing, and ignores its samples) when the name is
  /// invalid, a counter's name lacks `_total`, or the family was written before.
  bool family(std::string_view name, std::string_view type, std::string_view help);

  /// A sample of the current family (`suffix` is "", "_bucket", "_sum" or
  /// "_count"). Invalid label names are skipped.
  void sample(std::string_view suffix, const labels& l, double value);

  /// A histogram's samples from a latency histogram: cumulative `_bucket`s at
  /// `bounds_s` (seconds, ascending) and +Inf, `_sum` in seconds, `_count`.
  void histogram(const labels& l, const latency_histogram& h, const std::vector<double>& bounds_s);

  [[nodiscard]] const std::string& text() const noexcept { return out_; }

private:
  std::string out_;
  std::string current_;
  bool skip_ = false;
  std::vector<std::string> seen_;
};

/// A metric the caller supplies (queue depths, peer states, rate-limit
/// refusals, ...). Entries with the same name form one family.
struct extra_metric {
  std::string name; ///< full name (counters with `_total`)
  std::string type; ///< "counter" or "gauge"
  std::string help;
  labels l;
  double value = 0;
};

/// Default latency bucket bounds in seconds (1 ms .. 10 s).
[[nodiscard]] const std::vector<double>& default_bounds_s();

/// The node's /metrics text: per kind, counters by type, region and class
/// (`nzl_http_requests_total`, `nzl_tasks_total`, `nzl_websocket_messages_total`),
/// duration histograms by type and region (`..._duration_seconds`), rate-limit
/// refusals and bytes; the analytics' own counters (samples, dropped samples
/// when `rec` is given, overflow, series, memory); then `extras`.
[[nodiscard]] std::string render_metrics(const aggregator& agg, const recorder* rec,
                                         const std::vector<extra_metric>& extras);

} // namespace nzl::analytics
