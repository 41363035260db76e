#include "actors/cluster/manifest_options.hpp"

namespace nzl::actors::cluster {

result<cluster_options>
options_from_manifest(const config::manifest& m, const config::region_config& self,
                      std::shared_ptr<const plugins::handler_registry> handlers) {
  cluster_options o;
  o.cluster_name = m.cluster_name;
  o.node = self.name;
  o.region = self.name;
  o.listen_host = self.cluster.host;
  o.listen_port = self.cluster.port;
  std::vector<std::string> regions;
  nzl::cluster::routing_rules rules;
  rules.default_region = m.cluster.default_region;
  for (const auto& [code, region] : m.cluster.countries)
    rules.countries.emplace(code, region);
  for (const auto& r : m.regions) {
    regions.push_back(r.name);
    if (!r.fallback.empty())
      rules.fallbacks.emplace(r.name, r.fallback);
    if (r.name != self.name)
      o.peers.push_back(cluster_peer{r.name, r.name, r.cluster.host, r.cluster.port, r.weight});
  }
  auto table = nzl::cluster::routing_table::make(std::move(rules), std::move(regions));
  if (!table)
    return fail(errc::invalid_field, "manifest: /cluster/routing: " + table.err().detail);
  o.routing = std::move(*table);
  auto policy = nzl::cluster::parse_balance_policy(m.cluster.balancing);
  if (!policy)
    return fail(errc::invalid_field, "manifest: /cluster/balancing: unknown rule");
  o.balancing = *policy;
  o.heartbeat = std::chrono::milliseconds(m.cluster.heartbeat_ms);
  o.suspect_after = std::chrono::milliseconds(m.cluster.suspect_after_ms);
  o.down_after = std::chrono::milliseconds(m.cluster.down_after_ms);
  o.connect_timeout = std::chrono::milliseconds(m.cluster.connect_timeout_ms);
  o.reconnect_base = std::chrono::milliseconds(m.cluster.reconnect_base_ms);
  o.reconnect_cap = std::chrono::milliseconds(m.cluster.reconnect_cap_ms);
  o.tls = cluster_tls{m.cluster.tls.cert_file, m.cluster.tls.key_file, m.cluster.tls.ca_file};
  o.idempotent = [handlers](const task_request& r) {
    if (auto it = r.options.extra.find("idempotent");
        it != r.options.extra.end() && it->is_boolean())
      return it->get<bool>();
    const auto* h = handlers->find(r.type);
    return h && h->runs_inline(r.payload);
  };
  return o;
}

} // namespace nzl::actors::cluster
