#include "analytics/prometheus.hpp"

#include "analytics/sliding_window.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>

namespace nzl::analytics {

namespace {

bool name_char(char c, bool first, bool colon) {
  const bool alpha =
      (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
  return alpha || (!first && c >= '0' && c <= '9');
}

std::string number(double v) {
  if (std::isnan(v))
    return "NaN";
  if (std::isinf(v))
    return v > 0 ? "+Inf" : "-Inf";
  // The shortest text that reads back as the same double.
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, end) : std::string{"NaN"};
}

std::string escape_help(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

} // namespace

bool valid_metric_name(std::string_view name) noexcept {
  if (name.empty())
    return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (!name_char(name[i], i == 0, true))
      return false;
  return true;
}

bool valid_label_name(std::string_view name) noexcept {
  if (name.empty() || name.starts_with("__"))
    return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (!name_char(name[i], i == 0, false))
      return false;
  return true;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

bool metrics_writer::family(std::string_view name, std::string_view type, std::string_view help) {
  skip_ = !valid_metric_name(name) || (type == "counter" && !name.ends_with("_total")) ||
          std::find(seen_.begin(), seen_.end(), name) != seen_.end() ||
          (type != "counter" && type != "gauge" && type != "histogram");
  if (skip_)
    return false;
  seen_.emplace_back(name);
  current_ = name;
  // Text format 0.0.4 names a counter's family with its `_total` (as the Go
  // client writes it and promtool expects); only OpenMetrics strips it.
  const auto family_name = name;
  out_ += "# HELP ";
  out_ += family_name;
  out_ += ' ';
  out_ += escape_help(help);
  out_ += "\n# TYPE ";
  out_ += family_name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
  return true;
}

void metrics_writer::sample(std::string_view suffix, const labels& l, double value) {
  if (skip_ || current_.empty())
    return;
  out_ += current_;
  out_ += suffix;
  bool first = true;
  for (const auto& [k, v] : l) {
    if (!valid_label_name(k))
      continue;
    out_ += first ? '{' : ',';
    first = false;
    out_ += k;
    out_ += "=\"";
    out_ += escape_label_value(v);
    out_ += '"';
  }
  if (!first)
    out_ += '}';
  out_ += ' ';
  out_ += number(value);
  out_ += '\n';
}

void metrics_writer::histogram(const labels& l, const latency_histogram& h,
                               const std::vector<double>& bounds_s) {
  for (double b : bounds_s) {
    auto with_le = l;
    with_le.emplace_back("le", number(b));
    sample("_bucket", with_le,
           static_cast<double>(h.count_at_or_below(static_cast<std::uint64_t>(b * 1e6))));
  }
  auto inf = l;
  inf.emplace_back("le", "+Inf");
  sample("_bucket", inf, static_cast<double>(h.count()));
  sample("_sum", l, static_cast<double>(h.sum()) / 1e6);
  sample("_count", l, static_cast<double>(h.count()));
}

const std::vector<double>& default_bounds_s() {
  static const std::vector<double> bounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                          0.25,  0.5,    1,     2.5,  5,     10};
  return bounds;
}

std::string render_metrics(const aggregator& agg, const recorder* rec,
                           const std::vector<extra_metric>& extras) {
  metrics_writer w;
  const auto series = agg.lifetime();
  struct names {
    sample_kind kind;
    const char* counter;
    const char* counter_help;
    const char* duration;
    const char* duration_help;
  };
  const names kinds[] = {
      {sample_kind::http, "nzl_http_requests_total",
       "HTTP requests answered, by route, region and status class.",
       "nzl_http_request_duration_seconds", "HTTP request latency."},
      {sample_kind::task, "nzl_tasks_total", "Tasks run, by task type, region and status class.",
       "nzl_task_duration_seconds", "Task latency."},
      {sample_kind::websocket, "nzl_websocket_messages_total",
       "WebSocket messages handled, by message type, region and status class.",
       "nzl_websocket_message_duration_seconds", "WebSocket message handling latency."}};
  for (const auto& k : kinds) {
    w.family(k.counter, "counter", k.counter_help);
    for (const auto& s : series)
      if (s.kind == k.kind)
        w.sample("",
                 {{"type", s.type}, {"region", s.region}, {"class", std::string{to_string(s.cls)}}},
                 static_cast<double>(s.use.count));
    w.family(k.duration, "histogram", k.duration_help);
    std::map<std::pair<std::string, std::string>, latency_histogram> merged;
    for (const auto& s : series)
      if (s.kind == k.kind)
        merged[{s.type, s.region}].merge(s.hist);
    for (const auto& [key, h] : merged)
      w.histogram({{"type", key.first}, {"region", key.second}}, h, default_bounds_s());
  }
  std::map<std::string, usage> by_kind;
  for (const auto& s : series)
    by_kind[std::string{to_string(s.kind)}].merge(s.use);
  w.family("nzl_rate_limited_total", "counter", "Requests refused by a rate limit.");
  for (const auto& [kind, u] : by_kind)
    w.sample("", {{"kind", kind}}, static_cast<double>(u.rate_limited));
  w.family("nzl_received_bytes_total", "counter", "Payload bytes received.");
  for (const auto& [kind, u] : by_kind)
    w.sample("", {{"kind", kind}}, static_cast<double>(u.bytes_in));
  w.family("nzl_sent_bytes_total", "counter", "Payload bytes sent.");
  for (const auto& [kind, u] : by_kind)
    w.sample("", {{"kind", kind}}, static_cast<double>(u.bytes_out));

  w.family("nzl_analytics_samples_total", "counter", "Samples the analytics aggregator took in.");
  w.sample("", {}, static_cast<double>(agg.samples()));
  if (rec != nullptr) {
    w.family("nzl_analytics_dropped_samples_total", "counter",
             "Samples dropped because a recorder ring was full.");
    w.sample("", {}, static_cast<double>(rec->dropped()));
  }
  w.family("nzl_analytics_overflow_samples_total", "counter",
           "Samples folded into 'other' because a table was full.");
  w.sample("", {}, static_cast<double>(agg.overflow()));
  w.family("nzl_analytics_series", "gauge", "Series the aggregator holds.");
  w.sample("", {}, static_cast<double>(agg.series_count()));
  w.family("nzl_analytics_memory_bytes", "gauge", "Bytes the aggregator holds.");
  w.sample("", {}, static_cast<double>(agg.memory_bytes()));

  std::vector<const extra_metric*> sorted;
  for (const auto& e : extras)
    sorted.push_back(&e);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto* a, const auto* b) { return a->name < b->name; });
  std::string last;
  bool open = false;
  for (const auto* e : sorted) {
    if (e->name != last) {
      open = w.family(e->name, e->type, e->help);
      last = e->name;
    }
    if (open)
      w.sample("", e->l, e->value);
  }
  return w.text();
}

} // namespace nzl::analytics
