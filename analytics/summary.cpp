#include "analytics/summary.hpp"

#include "analytics/name_table.hpp"
#include "analytics/sliding_window.hpp"
#include "core/time.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <tuple>
#include <utility>

namespace nzl::analytics {

result<unsigned> parse_group_by(std::string_view text) {
  unsigned out = group_none;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto part = text.substr(0, comma);
    if (part == "type")
      out |= group_type;
    else if (part == "region")
      out |= group_region;
    else if (part == "kind")
      out |= group_kind;
    else
      return fail(errc::invalid_field, "group_by takes a list of type, region and kind",
                  {{"field", "group_by"}});
    if (comma == std::string_view::npos)
      break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string_view to_string(sample_kind k) noexcept {
  switch (k) {
  case sample_kind::http:
    return "http";
  case sample_kind::task:
    return "task";
  case sample_kind::websocket:
    return "websocket";
  }
  return "task";
}

result<sample_kind> parse_kind(std::string_view text) {
  for (auto k : {sample_kind::http, sample_kind::task, sample_kind::websocket})
    if (to_string(k) == text)
      return k;
  return fail(errc::invalid_field, "kind must be http, task or websocket", {{"field", "kind"}});
}

std::vector<series_snapshot> only_kind(std::vector<series_snapshot> series, sample_kind kind) {
  std::erase_if(series, [&](const series_snapshot& s) { return s.kind != kind; });
  return series;
}

std::vector<group_summary> summarize(const std::vector<series_snapshot>& series,
                                     unsigned group_by) {
  std::map<std::tuple<std::string, std::string, std::string>, group_summary> groups;
  if (group_by == group_none)
    groups[{"*", "*", "*"}] = group_summary{"*", "*", "*", {}, {}};
  for (const auto& s : series) {
    std::tuple<std::string, std::string, std::string> key{
        (group_by & group_kind) ? std::string{to_string(s.kind)} : "*",
        (group_by & group_type) ? s.type : "*", (group_by & group_region) ? s.region : "*"};
    auto& g = groups[key];
    g.kind = std::get<0>(key);
    g.type = std::get<1>(key);
    g.region = std::get<2>(key);
    g.hist.merge(s.hist);
    g.use.merge(s.use);
  }
  std::vector<group_summary> out;
  out.reserve(groups.size());
  for (auto& [k, g] : groups)
    out.push_back(std::move(g));
  return out;
}

group_summary summarize_matching(const std::vector<series_snapshot>& series, std::string_view type,
                                 std::string_view region) {
  group_summary g{"*",
                  type.empty() ? "*" : std::string{type},
                  region.empty() ? "*" : std::string{region},
                  {},
                  {}};
  for (const auto& s : series) {
    if ((!type.empty() && s.type != type) || (!region.empty() && s.region != region))
      continue;
    g.hist.merge(s.hist);
    g.use.merge(s.use);
  }
  return g;
}

nlohmann::json to_json(const group_summary& g) {
  auto j = nlohmann::json::object();
  if (g.kind != "*")
    j["kind"] = g.kind;
  if (g.type != "*")
    j["type"] = g.type;
  if (g.region != "*")
    j["region"] = g.region;
  j["count"] = g.use.count;
  j["errors"] = g.use.server_errors;
  j["client_errors"] = g.use.client_errors;
  j["error_rate"] = g.use.error_rate();
  j["rate_limited"] = g.use.rate_limited;
  j["p50_ms"] = g.p_ms(50);
  j["p95_ms"] = g.p_ms(95);
  j["p99_ms"] = g.p_ms(99);
  j["mean_ms"] = g.hist.mean() / 1000.0;
  j["max_ms"] = static_cast<double>(g.hist.max()) / 1000.0;
  j["bytes_in"] = g.use.bytes_in;
  j["bytes_out"] = g.use.bytes_out;
  return j;
}

nlohmann::json query_json(const std::vector<group_summary>& groups, std::int64_t window_ms,
                          std::string_view scope, std::int64_t now_ms) {
  auto arr = nlohmann::json::array();
  for (const auto& g : groups)
    arr.push_back(to_json(g));
  return {{"window", window_text(window_ms)},
          {"scope", scope},
          {"generated_at", rfc3339(now_ms)},
          {"percentile_relative_error", max_relative_error},
          {"groups", std::move(arr)}};
}

nlohmann::json export_json(const std::vector<series_snapshot>& series, std::int64_t window_ms) {
  auto arr = nlohmann::json::array();
  for (const auto& s : series)
    arr.push_back({{"kind", to_string(s.kind)},
                   {"type", s.type},
                   {"region", s.region},
                   {"class", to_string(s.cls)},
                   {"hist", s.hist.to_json()},
                   {"use", s.use.to_json()}});
  return {{"v", 1}, {"window", window_text(window_ms)}, {"series", std::move(arr)}};
}

namespace {

bool valid_name(const nlohmann::json& j) {
  if (!j.is_string())
    return false;
  const auto& s = j.get_ref<const std::string&>();
  return !s.empty() && s.size() <= max_name_length;
}

} // namespace

result<std::vector<series_snapshot>> import_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("v") || j["v"] != 1 || !j.contains("series") ||
      !j["series"].is_array())
    return fail(errc::invalid_field, "analytics export: not a version 1 export");
  if (j["series"].size() > max_exported_series)
    return fail(errc::invalid_field, "analytics export: too many series");
  std::vector<series_snapshot> out;
  out.reserve(j["series"].size());
  for (const auto& e : j["series"]) {
    if (!e.is_object() || !e.contains("type") || !valid_name(e["type"]) || !e.contains("region") ||
        !valid_name(e["region"]) || !e.contains("class") || !e["class"].is_string() ||
        !e.contains("hist") || !e.contains("use"))
      return fail(errc::invalid_field, "analytics export: bad series");
    auto kind = parse_kind(
        e.contains("kind") && e["kind"].is_string() ? e["kind"].get<std::string>() : std::string{});
    if (!kind)
      return std::move(kind).err();
    auto cls = parse_status_class(e["class"].get<std::string>());
    if (!cls)
      return std::move(cls).err();
    auto hist = latency_histogram::from_json(e["hist"]);
    if (!hist)
      return std::move(hist).err();
    auto use = usage::from_json(e["use"]);
    if (!use)
      return std::move(use).err();
    out.push_back(series_snapshot{*kind, e["type"].get<std::string>(),
                                  e["region"].get<std::string>(), *cls, std::move(*hist), *use});
  }
  return out;
}

} // namespace nzl::analytics
