// cloudagent report: GET /v3/analytics/report. JSON (the default) and the
// summary table come through the node client; CSV and HTML are not JSON, so
// they are fetched here as text with the same options (URL, key, signature,
// CA file, timeout).
#include "apps/cloudagent/commands/analytics_format.hpp"
#include "apps/cloudagent/commands/command.hpp"
#include "apps/cloudagent/request_signing.hpp"
#include "apps/cloudagent/values.hpp"
#include "net/outbound/http_client.hpp"
#include "net/outbound/url.hpp"

#include <array>
#include <fstream>
#include <future>

namespace nzl::cli {

namespace {

std::string value_or(const parsed_args& args, std::string_view name, std::string fallback) {
  const auto* v = args.value(name);
  return v ? *v : fallback;
}

namespace out = net::outbound;

constexpr std::array report_options{
    option_spec{"format", "F", "table (default), json, csv or html"},
    option_spec{"window", "W", "the window reported, up to 24h: 30s, 5m, 1h ... (default 1h)"},
    option_spec{"output", "FILE", "write the report to FILE instead of stdout"},
};

// The node's answer as text (any media type), 2xx only.
outcome<std::string> fetch_text(const global_options& o, const std::string& target) {
  auto u = out::parse_url(o.node);
  if (!u)
    return usage_error("--node: " + u.err().detail);
  std::string base = u->target;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  const std::string path = base + target;
  u->target = path;
  out::http_client_options co;
  co.egress.allow_loopback = true; // the operator chose the destination
  co.egress.allow_private = true;
  co.egress.allow_link_local = true;
  co.ca_file = o.cacert;
  co.user_agent = "cloudagent/" NZL_VERSION;
  out::http_client client{co};
  out::outbound_request req;
  req.method = "GET";
  req.url = u->to_string();
  req.timeout_ms = o.timeout_ms;
  req.max_response_bytes = max_answer_bytes;
  if (!o.api_key.empty())
    req.headers.emplace_back("Authorization", "Bearer " + o.api_key);
  if (!o.signing_secret.empty()) {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    for (auto& h : signature_headers(o.signing_secret, "GET", path, "", now, make_nonce()))
      req.headers.push_back(std::move(h));
  }
  std::promise<result<out::outbound_response>> answer;
  auto future = answer.get_future();
  client.send(std::move(req),
              [&answer](result<out::outbound_response> r) { answer.set_value(std::move(r)); });
  auto r = future.get();
  if (!r)
    return failure{exit_code::unreachable, o.node + ": " + r.err().detail};
  if (r->body_truncated)
    return failure{exit_code::node_error,
                   "the report is larger than " + std::to_string(max_answer_bytes) + " bytes"};
  if (r->status < 200 || r->status > 299)
    return problem_failure(r->status, r->body);
  return std::move(r->body);
}

std::string money(const nlohmann::json& j, std::string_view name) {
  if (!j.is_object())
    return "-";
  auto it = j.find(name);
  if (it == j.end() || !it->is_number())
    return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "$%.4f", it->get<double>());
  return buf;
}

std::string summary_text(const nlohmann::json& r) {
  std::string text = "Report of " + sanitize(text_of(r, "node", "?")) + " over " +
                     sanitize(text_of(r, "window", "?")) + " (" +
                     sanitize(text_of(r, "generated_at", "")) + ")\n\n";
  table t{{"TYPE", "REGION", "COUNT", "ERRORS", "ERROR RATE", "P50 MS", "P95 MS", "P99 MS"}};
  for (const auto& g : array_of(r, "groups"))
    t.add_row({text_of(g, "type", "*"), text_of(g, "region", "*"), number_of(g, "count"),
               number_of(g, "errors"), fixed_of(g, "error_rate", 4), fixed_of(g, "p50_ms", 3),
               fixed_of(g, "p95_ms", 3), fixed_of(g, "p99_ms", 3)});
  text += t.render();
  const auto& costs = r.contains("costs") ? r["costs"] : nlohmann::json{};
  if (costs.is_object()) {
    text +=
        "\nCost over the window: " + money(costs.value("window_total", nlohmann::json{}), "total") +
        "; monthly projection: " +
        money(costs.value("monthly_projection", nlohmann::json{}), "total") + "\n";
  }
  const auto& anomalies = array_of(r, "anomalies");
  if (!anomalies.empty()) {
    text += "\nAnomalies:\n";
    for (const auto& a : anomalies)
      text += "  " + sanitize(text_of(a, "series")) + " " + sanitize(text_of(a, "kind")) +
              " observed " + fixed_of(a, "observed", 3) + " baseline " +
              fixed_of(a, "baseline", 3) + "\n";
  }
  const auto& recs = array_of(r, "recommendations");
  if (!recs.empty()) {
    text += "\nRecommendations:\n";
    for (const auto& line : recs)
      if (line.is_string())
        text += "  - " + sanitize(line.get<std::string>()) + "\n";
  }
  return text;
}

outcome<done> report(context& ctx, const parsed_args& args) {
  std::string format = value_or(args, "format", "table");
  if (format != "table" && format != "json" && format != "csv" && format != "html")
    return usage_error("--format must be table, json, csv or html, not '" + format + "'");
  if (ctx.options.json && format == "table")
    format = "json";
  std::string window = value_or(args, "window", "1h");
  if (!valid_analytics_window(window))
    return usage_error("--window must be like 30s, 5m, 1h or 24h (at most 24h), not '" + window +
                       "'");
  const std::string wire = format == "table" ? "json" : format;
  const std::string target = "/v3/analytics/report?format=" + wire + "&window=" + window;
  std::string text;
  if (wire == "json") {
    auto node = ctx.node();
    if (!node)
      return std::move(node).err();
    auto answer = (*node)->call("GET", target);
    if (!answer)
      return std::move(answer).err();
    text = format == "json" ? answer->raw : summary_text(answer->body);
  } else {
    auto fetched = fetch_text(ctx.options, target);
    if (!fetched)
      return std::move(fetched).err();
    text = std::move(*fetched);
  }
  if (!text.empty() && text.back() != '\n')
    text += '\n';
  if (auto file = args.value("output")) {
    std::ofstream f{*file, std::ios::binary | std::ios::trunc};
    if (!f || !(f << text) || !f.flush())
      return failure{exit_code::usage, "cannot write " + *file};
    ctx.print.err_line("wrote " + *file);
    return done{};
  }
  // CSV and HTML go out as received (a file for a spreadsheet or a browser);
  // the table is sanitized above.
  ctx.print.out(text);
  return done{};
}

constexpr std::array commands{
    subcommand{"show", "",
               "the analytics report: throughput, percentiles, errors, costs, anomalies",
               report_options, 0, 0, report},
};

} // namespace

command_group report_group() {
  // `cloudagent report --format csv` is the spelling of issue 11;
  // `report show` stays as an alias.
  return {"report", "analytics report of the node (tasks:read)", commands, commands.data()};
}

} // namespace nzl::cli
