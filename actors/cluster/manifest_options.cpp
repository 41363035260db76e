#include "actors/cluster/manifest_options.hpp"

#include <algorithm>

namespace nzl::actors::cluster {

result<cluster_options>
options_from_manifest(const config::manifest& m, const config::region_config& self,
                      std::shared_ptr<const plugins::handler_registry> handlers) {
  cluster_options o;
  o.cluster_name = m.cluster_name;
  o.node = self.node.empty() ? self.name : self.node;
  o.region = self.name;
  o.listen_host = self.cluster.host;
  o.listen_port = self.cluster.port;
  std::vector<std::string> regions;
  nzl::cluster::routing_rules rules;
  rules.default_region = m.cluster.default_region;
  for (const auto& [code, region] : m.cluster.countries)
    rules.countries.emplace(code, region);
  // Several entries may share a region (one node each): regions once, in
  // manifest order; the first entry's fallback list is the region's.
  for (const auto& r : m.regions) {
    const auto& node = r.node.empty() ? r.name : r.node;
    if (std::find(regions.begin(), regions.end(), r.name) == regions.end())
      regions.push_back(r.name);
    if (!r.fallback.empty())
      rules.fallbacks.emplace(r.name, r.fallback);
    if (node != o.node)
      o.peers.push_back(cluster_peer{node, r.name, r.cluster.host, r.cluster.port, r.weight});
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

result<const config::region_config*> select_node(const config::manifest& m, std::string_view node,
                                                 std::string_view region) {
  std::string all_nodes;
  for (const auto& r : m.regions)
    all_nodes += (all_nodes.empty() ? "" : ", ") + r.node;
  if (!node.empty()) {
    const auto* e = m.find_node(node);
    if (!e)
      return fail(errc::invalid_field, "--node: unknown node '" + std::string{node} +
                                           "'; the manifest has: " + all_nodes);
    if (!region.empty() && e->name != region)
      return fail(errc::invalid_field, "--node: node '" + std::string{node} + "' serves region '" +
                                           e->name + "', not '" + std::string{region} + "'");
    return e;
  }
  std::vector<const config::region_config*> of_region;
  for (const auto& r : m.regions)
    if (r.name == region)
      of_region.push_back(&r);
  if (of_region.size() == 1)
    return of_region.front();
  if (of_region.size() > 1) {
    std::string nodes;
    for (const auto* r : of_region)
      nodes += (nodes.empty() ? "" : ", ") + r->node;
    return fail(errc::invalid_field, "--region: region '" + std::string{region} + "' has " +
                                         std::to_string(of_region.size()) + " nodes (" + nodes +
                                         "); choose one with --node");
  }
  if (const auto* e = m.find_node(region))
    return e;
  std::string names;
  for (const auto& r : m.regions)
    if (names.find(r.name) == std::string::npos)
      names += (names.empty() ? "" : ", ") + r.name;
  return fail(errc::invalid_field,
              "--region: unknown region '" + std::string{region} + "'; the manifest has: " + names);
}

} // namespace nzl::actors::cluster
