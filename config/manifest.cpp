#include "config/manifest.hpp"

#include "plugins/schema/validator.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

namespace nzl::config {

namespace internal {
extern const std::string_view manifest_schema_json;
} // namespace internal

namespace {

using nlohmann::json;

error manifest_error(std::string pointer, std::string what) {
  std::string detail = "manifest: ";
  detail += pointer.empty() ? std::string{"(root)"} : pointer;
  detail += ": ";
  detail += what;
  return fail(errc::invalid_field, std::move(detail), {{"field", std::move(pointer)}});
}

const schema::compiled_schema& manifest_schema() {
  // Compiled once; a schema that does not compile is a build defect.
  static const schema::compiled_schema compiled = [] {
    auto doc = json::parse(internal::manifest_schema_json);
    auto compiled = schema::compile(doc);
    if (!compiled)
      throw std::logic_error("manifest.schema.json does not compile: " + compiled.err().detail);
    return std::move(compiled).value();
  }();
  return compiled;
}

template <class T> void read_if_present(const json& obj, const char* key, T& out) {
  if (auto i = obj.find(key); i != obj.end())
    out = i->get<T>();
}

endpoint read_endpoint(const json& obj) {
  return endpoint{obj.at("host").get<std::string>(), obj.at("port").get<std::uint16_t>()};
}

region_limits read_limits(const json& obj) {
  region_limits limits;
  read_if_present(obj, "max_body_bytes", limits.max_body_bytes);
  read_if_present(obj, "max_batch_tasks", limits.max_batch_tasks);
  read_if_present(obj, "max_connections", limits.max_connections);
  read_if_present(obj, "max_json_depth", limits.max_json_depth);
  read_if_present(obj, "read_timeout_ms", limits.read_timeout_ms);
  read_if_present(obj, "idle_timeout_ms", limits.idle_timeout_ms);
  read_if_present(obj, "task_timeout_ms", limits.task_timeout_ms);
  read_if_present(obj, "shutdown_deadline_ms", limits.shutdown_deadline_ms);
  return limits;
}

} // namespace

const region_config* manifest::find_region(std::string_view name) const noexcept {
  for (const auto& region : regions)
    if (region.name == name)
      return &region;
  return nullptr;
}

const region_config* manifest::find_node(std::string_view name) const noexcept {
  for (const auto& region : regions)
    if (region.node == name)
      return &region;
  return nullptr;
}

const rate_tier* security_config::find_tier(std::string_view name) const noexcept {
  for (const auto& tier : tiers)
    if (tier.name == name)
      return &tier;
  return nullptr;
}

std::string_view manifest_schema_text() noexcept {
  return internal::manifest_schema_json;
}

result<manifest> parse_manifest(const json& doc) {
  auto errors = manifest_schema().validate(doc);
  if (!errors.empty()) {
    // The deepest error is the most specific one: it names the field itself
    // rather than an enclosing object.
    const auto* best = &errors.front();
    for (const auto& e : errors)
      if (e.instance_location.size() > best->instance_location.size())
        best = &e;
    return manifest_error(best->instance_location, best->error);
  }
  manifest out;
  out.cluster_name = doc.at("cluster").at("name").get<std::string>();
  {
    const auto& c = doc.at("cluster");
    auto& cc = out.cluster;
    read_if_present(c, "heartbeat_ms", cc.heartbeat_ms);
    read_if_present(c, "suspect_after_ms", cc.suspect_after_ms);
    read_if_present(c, "down_after_ms", cc.down_after_ms);
    read_if_present(c, "connect_timeout_ms", cc.connect_timeout_ms);
    read_if_present(c, "reconnect_base_ms", cc.reconnect_base_ms);
    read_if_present(c, "reconnect_cap_ms", cc.reconnect_cap_ms);
    read_if_present(c, "balancing", cc.balancing);
    if (auto t = c.find("tls"); t != c.end()) {
      cc.tls.cert_file = t->at("cert_file").get<std::string>();
      cc.tls.key_file = t->at("key_file").get<std::string>();
      cc.tls.ca_file = t->at("ca_file").get<std::string>();
    }
    if (auto r = c.find("routing"); r != c.end()) {
      read_if_present(*r, "default", cc.default_region);
      if (auto cs = r->find("countries"); cs != r->end())
        for (const auto& [code, region] : cs->items())
          cc.countries.emplace_back(code, region.get<std::string>());
    }
    if (cc.suspect_after_ms >= cc.down_after_ms)
      return manifest_error("/cluster/down_after_ms", "must be greater than suspect_after_ms");
  }
  if (auto q = doc.find("queues"); q != doc.end()) {
    read_if_present(*q, "max_backlog", out.queues.max_backlog);
    read_if_present(*q, "max_retries", out.queues.max_retries);
    read_if_present(*q, "retry_base_ms", out.queues.retry_base_ms);
    read_if_present(*q, "retry_cap_ms", out.queues.retry_cap_ms);
    read_if_present(*q, "result_ttl_s", out.queues.result_ttl_s);
    read_if_present(*q, "stuck_after_ms", out.queues.stuck_after_ms);
    read_if_present(*q, "sync_writes", out.queues.sync_writes);
  }
  if (auto w = doc.find("webhooks"); w != doc.end()) {
    read_if_present(*w, "enabled", out.webhooks.enabled);
    read_if_present(*w, "timeout_ms", out.webhooks.timeout_ms);
    read_if_present(*w, "max_attempts", out.webhooks.max_attempts);
    read_if_present(*w, "retry_base_ms", out.webhooks.retry_base_ms);
    read_if_present(*w, "ca_file", out.webhooks.ca_file);
  }
  if (auto e = doc.find("egress"); e != doc.end()) {
    read_if_present(*e, "allow_loopback", out.egress.allow_loopback);
    read_if_present(*e, "allow_private", out.egress.allow_private);
    read_if_present(*e, "allow_link_local", out.egress.allow_link_local);
    read_if_present(*e, "allow_cidrs", out.egress.allow_cidrs);
    read_if_present(*e, "deny_cidrs", out.egress.deny_cidrs);
  }
  if (auto sec = doc.find("security"); sec != doc.end()) {
    auto& c = out.security;
    read_if_present(*sec, "require_keys", c.require_keys);
    read_if_present(*sec, "admin_signature_required", c.admin_signature_required);
    read_if_present(*sec, "signature_window_s", c.signature_window_s);
    read_if_present(*sec, "max_nonces", c.max_nonces);
    read_if_present(*sec, "trusted_proxies", c.trusted_proxies);
    read_if_present(*sec, "ip_allow", c.ip_allow);
    read_if_present(*sec, "ip_deny", c.ip_deny);
    read_if_present(*sec, "country_allow", c.country_allow);
    read_if_present(*sec, "country_deny", c.country_deny);
    read_if_present(*sec, "geoip_database", c.geoip_database);
    read_if_present(*sec, "anonymous_tier", c.anonymous_tier);
    read_if_present(*sec, "audit_retention_days", c.audit_retention_days);
    read_if_present(*sec, "node_key_file", c.node_key_file);
    if (auto t = sec->find("rate_limit_tiers"); t != sec->end())
      for (const auto& [name, tier] : t->items())
        c.tiers.push_back(rate_tier{name, tier.at("quota").get<std::uint64_t>(),
                                    tier.at("window_s").get<std::uint32_t>()});
  }
  // Every key names a tier; these two always exist.
  if (!out.security.find_tier("default"))
    out.security.tiers.push_back(rate_tier{"default", 1000, 60});
  if (!out.security.find_tier(out.security.anonymous_tier))
    out.security.tiers.push_back(rate_tier{out.security.anonymous_tier, 120, 60});
  if (auto p = doc.find("plugins"); p != doc.end())
    read_if_present(*p, "directories", out.plugins.directories);
  if (auto w = doc.find("websocket"); w != doc.end()) {
    auto& c = out.websocket;
    read_if_present(*w, "ping_interval_ms", c.ping_interval_ms);
    read_if_present(*w, "max_message_bytes", c.max_message_bytes);
    read_if_present(*w, "max_queued", c.max_queued);
    read_if_present(*w, "resume_buffer", c.resume_buffer);
    read_if_present(*w, "resume_window_ms", c.resume_window_ms);
    read_if_present(*w, "max_tasks", c.max_tasks);
    read_if_present(*w, "max_subscriptions", c.max_subscriptions);
  }
  if (auto a = doc.find("analytics"); a != doc.end()) {
    if (auto p = a->find("prices"); p != a->end())
      out.analytics.prices_json = p->dump();
    if (auto al = a->find("alerts"); al != a->end())
      out.analytics.alerts_json = al->dump();
    read_if_present(*a, "alert_webhook", out.analytics.alert_webhook);
    read_if_present(*a, "enabled", out.analytics.enabled);
  }
  if (auto h = doc.find("handlers"); h != doc.end()) {
    if (auto t = h->find("text_analysis"); t != h->end())
      read_if_present(*t, "max_text_bytes", out.handlers.text_max_bytes);
    if (auto i = h->find("image_metadata"); i != h->end()) {
      read_if_present(*i, "max_image_bytes", out.handlers.image_max_bytes);
      read_if_present(*i, "max_pixels", out.handlers.image_max_pixels);
    }
    if (auto a = h->find("api_tester"); a != h->end()) {
      read_if_present(*a, "max_endpoints", out.handlers.api_tester_max_endpoints);
      read_if_present(*a, "max_concurrency", out.handlers.api_tester_max_concurrency);
    }
  }
  std::set<std::string> names;
  std::set<std::string> node_names;
  std::set<std::pair<std::string, std::uint16_t>> addresses;
  const auto& regions = doc.at("regions");
  for (std::size_t i = 0; i < regions.size(); ++i) {
    const auto& r = regions[i];
    const auto at = "/regions/" + std::to_string(i);
    region_config region;
    region.name = r.at("name").get<std::string>();
    region.node = r.value("node", region.name);
    region.http = read_endpoint(r.at("http"));
    region.cluster = read_endpoint(r.at("cluster"));
    if (auto op = r.find("operator"); op != r.end())
      region.operator_endpoint = read_endpoint(*op);
    read_if_present(r, "io_threads", region.io_threads);
    read_if_present(r, "executor_threads", region.executor_threads);
    read_if_present(r, "fallback", region.fallback);
    read_if_present(r, "weight", region.weight);
    if (auto t = r.find("tls"); t != r.end()) {
      region.tls.cert_file = t->at("cert_file").get<std::string>();
      region.tls.key_file = t->at("key_file").get<std::string>();
    }
    if (auto l = r.find("limits"); l != r.end())
      region.limits = read_limits(*l);
    // Several entries may share a region (one node each); node names are
    // unique.
    names.insert(region.name);
    if (!node_names.insert(region.node).second)
      return manifest_error(at + (r.contains("node") ? "/node" : "/name"),
                            "node name \"" + region.node +
                                "\" is used twice (give entries of one region a \"node\" name)");
    for (const auto* ep : {&region.http, &region.cluster}) {
      if (ep->port == 0)
        continue;
      if (!addresses.emplace(ep->host, ep->port).second)
        return manifest_error(at + (ep == &region.http ? "/http" : "/cluster"),
                              "address " + ep->host + ":" + std::to_string(ep->port) +
                                  " is used twice");
    }
    out.regions.push_back(std::move(region));
  }
  // Routing names regions: check them once all are known.
  auto known = [&](const std::string& name) {
    return names.count(name) > 0;
  };
  if (!out.cluster.default_region.empty() && !known(out.cluster.default_region))
    return manifest_error("/cluster/routing/default",
                          "unknown region \"" + out.cluster.default_region + "\"");
  for (const auto& [code, region] : out.cluster.countries)
    if (!known(region))
      return manifest_error("/cluster/routing/countries/" + code,
                            "unknown region \"" + region + "\"");
  for (std::size_t i = 0; i < out.regions.size(); ++i)
    for (const auto& f : out.regions[i].fallback)
      if (!known(f) || f == out.regions[i].name)
        return manifest_error("/regions/" + std::to_string(i) + "/fallback",
                              "\"" + f + "\" is not another region");
  return out;
}

result<manifest> load_manifest(const std::filesystem::path& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return fail(errc::invalid_field, "manifest: cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  try {
    return parse_manifest(json::parse(text.str()));
  } catch (const json::parse_error& e) {
    return fail(errc::invalid_json, "manifest: " + path.string() + " is not valid JSON at byte " +
                                        std::to_string(e.byte));
  }
}

} // namespace nzl::config
