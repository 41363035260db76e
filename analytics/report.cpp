#include "analytics/report.hpp"

#include "analytics/sliding_window.hpp"
#include "core/time.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <map>

namespace nzl::analytics {

result<report_format> parse_report_format(std::string_view text) {
  if (text == "json")
    return report_format::json;
  if (text == "csv")
    return report_format::csv;
  if (text == "html")
    return report_format::html;
  return fail(errc::invalid_field, "format must be json, csv or html", {{"field", "format"}});
}

std::string_view content_type(report_format f) noexcept {
  switch (f) {
  case report_format::json:
    return "application/json";
  case report_format::csv:
    return "text/csv; charset=utf-8";
  case report_format::html:
    return "text/html; charset=utf-8";
  }
  return "application/json";
}

report build_report(const aggregator& agg, std::string node, std::int64_t window_ms,
                    std::int64_t now_ms, const price_model& prices, std::uint64_t stored_bytes,
                    const anomaly_detector& detector, const recommendation_rules& rules) {
  report r;
  r.node = std::move(node);
  r.scope = "node";
  r.window_ms = window_ms;
  r.now_ms = now_ms;
  const auto tasks = only_kind(agg.snapshot(window_ms, now_ms), sample_kind::task);
  r.groups = summarize(tasks, group_type | group_region);
  r.total = summarize(tasks, group_none).front();
  r.timeline = agg.timeline("", "", window_ms, now_ms, SIZE_MAX, sample_kind::task);
  r.costs = estimate_costs(agg, window_ms, now_ms, prices, stored_bytes);
  r.patterns = find_patterns(agg, window_ms, now_ms);
  r.anomalies = detector.scan(agg, now_ms);
  r.recommendations = recommend(agg, window_ms, now_ms, r.anomalies, rules);
  return r;
}

namespace {

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos)
    return std::string{s};
  std::string out = "\"";
  for (char c : s) {
    if (c == '"')
      out += '"';
    out += c;
  }
  return out + "\"";
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&#39;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

double group_cost(const report& r, const group_summary& g) {
  for (const auto& t : r.costs.by_type)
    if (t.name == g.type)
      return t.cost.total() * (t.use.count == 0 ? 0.0
                                                : static_cast<double>(g.use.count) /
                                                      static_cast<double>(t.use.count));
  return 0;
}

nlohmann::json render_json(const report& r) {
  auto groups = nlohmann::json::array();
  for (const auto& g : r.groups)
    groups.push_back(to_json(g));
  auto timeline = nlohmann::json::array();
  for (const auto& p : r.timeline)
    timeline.push_back({{"start", rfc3339(p.start_ms)},
                        {"count", p.use.count},
                        {"errors", p.use.server_errors},
                        {"p50_ms", p.hist.percentile(50) / 1000.0},
                        {"p95_ms", p.hist.percentile(95) / 1000.0},
                        {"p99_ms", p.hist.percentile(99) / 1000.0}});
  auto anomalies = nlohmann::json::array();
  for (const auto& a : r.anomalies)
    anomalies.push_back(to_json(a));
  return {{"node", r.node},
          {"scope", r.scope},
          {"window", window_text(r.window_ms)},
          {"generated_at", rfc3339(r.now_ms)},
          {"total", to_json(r.total)},
          {"groups", std::move(groups)},
          {"timeline", std::move(timeline)},
          {"costs", to_json(r.costs)},
          {"patterns", to_json(r.patterns)},
          {"anomalies", std::move(anomalies)},
          {"recommendations", r.recommendations}};
}

std::string render_csv(const report& r) {
  std::string out =
      "type,region,count,errors,error_rate,p50_ms,p95_ms,p99_ms,bytes_in,bytes_out,cost_usd\r\n";
  for (const auto& g : r.groups) {
    out += csv_field(g.type) + "," + csv_field(g.region) + "," + std::to_string(g.use.count) + "," +
           std::to_string(g.use.server_errors) + "," + fixed(g.use.error_rate(), 6) + "," +
           fixed(g.p_ms(50), 3) + "," + fixed(g.p_ms(95), 3) + "," + fixed(g.p_ms(99), 3) + "," +
           std::to_string(g.use.bytes_in) + "," + std::to_string(g.use.bytes_out) + "," +
           fixed(group_cost(r, g), 6) + "\r\n";
  }
  return out;
}

// A line chart of `values` (one per slot) as inline SVG.
std::string line_chart(const std::vector<double>& values, const char* title, const char* unit,
                       const char* colour) {
  constexpr int w = 640, h = 160, pad = 30;
  const double top = std::max(1e-9, *std::max_element(values.begin(), values.end()));
  std::string pts;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double x = pad + (values.size() <= 1 ? 0.0
                                               : (w - 2.0 * pad) * static_cast<double>(i) /
                                                     static_cast<double>(values.size() - 1));
    const double y = h - pad - (h - 2.0 * pad) * values[i] / top;
    pts += fixed(x, 1) + "," + fixed(y, 1) + " ";
  }
  return "<figure><figcaption>" + std::string{title} + " (max " + fixed(top, 2) + " " + unit +
         ")</figcaption><svg viewBox=\"0 0 " + std::to_string(w) + " " + std::to_string(h) +
         "\" role=\"img\"><line x1=\"30\" y1=\"130\" x2=\"610\" y2=\"130\" stroke=\"#999\"/>"
         "<polyline fill=\"none\" stroke=\"" +
         colour + "\" stroke-width=\"2\" points=\"" + pts + "\"/></svg></figure>";
}

std::string bar_chart(const std::vector<std::pair<std::string, double>>& bars, const char* title) {
  constexpr int row = 22, w = 640;
  double top = 1e-9;
  for (const auto& b : bars)
    top = std::max(top, b.second);
  std::string svg = "<figure><figcaption>" + std::string{title} +
                    "</figcaption><svg viewBox=\"0 0 " + std::to_string(w) + " " +
                    std::to_string(row * static_cast<int>(bars.size()) + 4) + "\" role=\"img\">";
  int y = 2;
  for (const auto& [label, v] : bars) {
    const double len = 400.0 * v / top;
    svg += "<text x=\"0\" y=\"" + std::to_string(y + 15) + "\" font-size=\"12\">" +
           html_escape(label) + "</text><rect x=\"160\" y=\"" + std::to_string(y + 3) +
           "\" width=\"" + fixed(len, 1) + "\" height=\"15\" fill=\"#4a7bd0\"/><text x=\"" +
           fixed(165 + len, 1) + "\" y=\"" + std::to_string(y + 15) + "\" font-size=\"12\">" +
           fixed(v, 0) + "</text>";
    y += row;
  }
  return svg + "</svg></figure>";
}

std::string render_html(const report& r) {
  std::vector<double> throughput, p95;
  for (const auto& p : r.timeline) {
    throughput.push_back(static_cast<double>(p.use.count));
    p95.push_back(p.hist.percentile(95) / 1000.0);
  }
  if (throughput.empty()) {
    throughput.push_back(0);
    p95.push_back(0);
  }
  std::vector<std::pair<std::string, double>> top_types, hours;
  for (const auto& t : r.patterns.top_types)
    top_types.emplace_back(t.name, static_cast<double>(t.count));
  for (int hr = 0; hr < 24; ++hr)
    hours.emplace_back((hr < 10 ? "0" : "") + std::to_string(hr) + ":00",
                       static_cast<double>(r.patterns.by_hour[static_cast<std::size_t>(hr)]));

  std::string h = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Analytics "
                  "report: " +
                  html_escape(r.node) +
                  "</title><style>body{font:14px system-ui,sans-serif;margin:2em;max-width:60em}"
                  "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:"
                  "3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}"
                  "figure{margin:1em 0}svg{width:100%;height:auto}.muted{color:#666}</style>"
                  "</head><body>";
  h += "<h1>Analytics report: " + html_escape(r.node) + "</h1><p class=\"muted\">Scope " +
       html_escape(r.scope) + ", window " + window_text(r.window_ms) + ", generated " +
       rfc3339(r.now_ms) + ". Percentiles within " + fixed(100 * max_relative_error, 2) + " %.</p>";
  h += "<p><b>" + std::to_string(r.total.use.count) + "</b> tasks, error rate <b>" +
       fixed(100 * r.total.use.error_rate(), 2) + " %</b>, p50 " + fixed(r.total.p_ms(50), 1) +
       " ms, p95 <b>" + fixed(r.total.p_ms(95), 1) + " ms</b>, p99 " + fixed(r.total.p_ms(99), 1) +
       " ms. Projected monthly cost <b>$" + fixed(r.costs.monthly.total(), 2) + "</b>.</p>";
  h += line_chart(throughput, "Tasks per slot", "tasks", "#4a7bd0");
  h += line_chart(p95, "p95 latency per slot", "ms", "#d0574a");
  h += "<h2>Recommendations</h2><ul>";
  for (const auto& s : r.recommendations)
    h += "<li>" + html_escape(s) + "</li>";
  if (r.recommendations.empty())
    h += "<li class=\"muted\">None.</li>";
  h += "</ul><h2>By type and region</h2><table><tr><th>type</th><th>region</th><th>count</th>"
       "<th>errors</th><th>error rate</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th></tr>";
  for (const auto& g : r.groups)
    h += "<tr><td>" + html_escape(g.type) + "</td><td>" + html_escape(g.region) + "</td><td>" +
         std::to_string(g.use.count) + "</td><td>" + std::to_string(g.use.server_errors) +
         "</td><td>" + fixed(100 * g.use.error_rate(), 2) + " %</td><td>" + fixed(g.p_ms(50), 2) +
         "</td><td>" + fixed(g.p_ms(95), 2) + "</td><td>" + fixed(g.p_ms(99), 2) + "</td></tr>";
  h += "</table>";
  if (!top_types.empty())
    h += bar_chart(top_types, "Top task types");
  h += bar_chart(hours, "Samples per hour of day (UTC, last 24 h)");
  h += "<h2>Errors by code</h2><table><tr><th>code</th><th>type</th><th>region</th><th>count</th>"
       "</tr>";
  for (const auto& c : r.patterns.error_clusters)
    h += "<tr><td>" + html_escape(c.code) + "</td><td>" + html_escape(c.type) + "</td><td>" +
         html_escape(c.region) + "</td><td>" + std::to_string(c.count) + "</td></tr>";
  h += "</table><h2>Anomalies</h2><table><tr><th>series</th><th>kind</th><th>observed</th>"
       "<th>baseline</th><th>at</th></tr>";
  for (const auto& a : r.anomalies)
    h += "<tr><td>" + html_escape(a.series) + "</td><td>" + std::string{to_string(a.kind)} +
         "</td><td>" + fixed(a.observed, 3) + "</td><td>" + fixed(a.baseline, 3) + "</td><td>" +
         rfc3339(a.at_ms) + "</td></tr>";
  h += "</table><h2>Costs (USD)</h2>";
  // Per key and per task type: gross, in the window and at its rate for 30 days.
  const double month_scale =
      30.0 * 86'400'000.0 / static_cast<double>(std::max<std::int64_t>(r.window_ms, 1));
  auto cost_table = [&](const std::vector<cost_line>& lines, const char* what) {
    h += std::string{"<table><tr><th>"} + what +
         "</th><th>requests</th><th>cost in window</th><th>per month</th></tr>";
    for (std::size_t i = 0; i < lines.size() && i < 20; ++i)
      h += "<tr><td>" + html_escape(lines[i].name) + "</td><td>" +
           std::to_string(lines[i].use.count) + "</td><td>" + fixed(lines[i].cost.total(), 6) +
           "</td><td>" + fixed(lines[i].cost.total() * month_scale, 4) + "</td></tr>";
    h += "</table>";
  };
  cost_table(r.costs.by_key, "key");
  cost_table(r.costs.by_type, "task type");
  h += "<p>Window total $" + fixed(r.costs.window_total.total(), 6) + "; monthly projection $" +
       fixed(r.costs.monthly.total(), 2) +
       " (Cloudflare Workers + Durable Objects price model, allowances and base fee included)."
       "</p></body></html>\n";
  return h;
}

} // namespace

std::string render(const report& r, report_format f) {
  switch (f) {
  case report_format::json:
    return render_json(r).dump(2);
  case report_format::csv:
    return render_csv(r);
  case report_format::html:
    return render_html(r);
  }
  return {};
}

} // namespace nzl::analytics
