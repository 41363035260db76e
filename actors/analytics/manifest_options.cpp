#include "actors/analytics/manifest_options.hpp"

#include "cluster/cluster_control.hpp"

#include <nlohmann/json.hpp>

#include <system_error>

namespace nzl::actors::analytics {

namespace {

namespace an = nzl::analytics;
using nlohmann::json;

// The data directory's size, walked at most once a minute (a report or a
// scrape must not stat thousands of files each time). Called on the analytics
// thread only.
std::function<std::uint64_t()> dir_size(std::filesystem::path dir) {
  struct cache {
    std::int64_t at = -1;
    std::uint64_t bytes = 0;
  };
  auto c = std::make_shared<cache>();
  return [dir = std::move(dir), c]() -> std::uint64_t {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
                   .count();
    if (c->at >= 0 && now - c->at < 60)
      return c->bytes;
    std::uint64_t total = 0;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      std::error_code size_ec;
      if (it->is_regular_file(size_ec))
        total += it->file_size(size_ec);
    }
    c->at = now;
    c->bytes = total;
    return total;
  };
}

} // namespace

result<analytics_options> options_from_manifest(const config::manifest& m, std::string node,
                                                const webhook_config& webhooks,
                                                net::ws_service* channels,
                                                const nzl::cluster::cluster_control* cluster,
                                                std::filesystem::path data_dir) {
  analytics_options o;
  o.node = std::move(node);
  auto prices_doc = json::parse(m.analytics.prices_json, nullptr, false);
  auto prices = prices_doc.is_discarded()
                    ? result<an::price_model>{fail(errc::invalid_field, "not JSON")}
                    : an::price_model::from_json(prices_doc);
  if (!prices)
    return fail(errc::invalid_field, "/analytics/prices: " + prices.err().detail,
                {{"field", "/analytics/prices"}});
  o.prices = *prices;
  auto alerts_doc = json::parse(m.analytics.alerts_json, nullptr, false);
  auto rules = alerts_doc.is_discarded()
                   ? result<std::vector<an::alert_rule>>{fail(errc::invalid_field, "not JSON")}
                   : an::alert_rules_from_json(alerts_doc);
  if (!rules)
    return fail(errc::invalid_field, "/analytics/alerts: " + rules.err().detail,
                {{"field", "/analytics/alerts"}});
  o.alerts = std::move(*rules);
  o.sinks.channels = channels;
  if (!m.analytics.alert_webhook.empty()) {
    if (!webhooks.client)
      return fail(errc::invalid_field,
                  "/analytics/alert_webhook needs webhooks.enabled (the node's webhook client "
                  "and secret sign alert deliveries)",
                  {{"field", "/analytics/alert_webhook"}});
    o.sinks.webhook_url = m.analytics.alert_webhook;
    o.sinks.client = webhooks.client;
    o.sinks.secret = webhooks.secret;
    o.sinks.timeout_ms = webhooks.timeout_ms;
  }
  if (cluster) {
    o.regions_down = [cluster] {
      std::vector<std::string> down;
      auto s = cluster->status();
      for (const auto& r : s.value("regions", json::array()))
        if (r.value("state", "") == "down")
          down.push_back(r.value("name", ""));
      return down;
    };
    o.extra_metrics = [cluster] {
      std::vector<an::extra_metric> out;
      auto s = cluster->status();
      for (const auto& r : s.value("regions", json::array())) {
        auto region = r.value("name", "");
        out.push_back({"nzl_cluster_region_up",
                       "gauge",
                       "1 when the region serves traffic (up or drained), 0 when down",
                       {{"region", region}},
                       r.value("state", "") == "down" ? 0.0 : 1.0});
      }
      for (const auto& r : s.value("regions", json::array()))
        for (const auto& n : r.value("nodes", json::array()))
          out.push_back({"nzl_cluster_peer_state",
                         "gauge",
                         "1 for the state a node is in as this node sees it",
                         {{"region", r.value("name", "")},
                          {"node", n.value("node", "")},
                          {"state", n.value("state", "")}},
                         1.0});
      for (const auto& r : s.value("regions", json::array()))
        for (const auto& n : r.value("nodes", json::array()))
          if (auto l = n.find("load"); l != n.end() && l->is_object())
            out.push_back({"nzl_cluster_queue_depth",
                           "gauge",
                           "tasks waiting at a node, as its last heartbeat said",
                           {{"region", r.value("name", "")}, {"node", n.value("node", "")}},
                           l->value("queue_depth", 0.0)});
      return out;
    };
  }
  if (!data_dir.empty())
    o.stored_bytes = dir_size(std::move(data_dir));
  return o;
}

} // namespace nzl::actors::analytics
