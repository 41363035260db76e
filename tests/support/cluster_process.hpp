#pragma once

#include "tests/support/node_process.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nzl::test {

/// A free TCP port on 127.0.0.1 below 32768 (the kernel's range for
/// outgoing connections starts there), found by binding and reserved
/// against every other test process (an flock held until this process
/// ends). A program outside the tests may still take it before the node
/// binds; nothing in the test range does that on our machines.
[[nodiscard]] std::uint16_t free_loopback_port();

/// Several `noizylab-node` processes of one cluster manifest: one node per
/// region, fixed HTTP and cluster ports on 127.0.0.1 (so a restarted node
/// comes back at the same address), CF-IPCountry trusted from loopback.
/// Each node is a node_process (its own temp dir, log and clean-up). Not
/// thread-safe: use it from the test's main thread.
class cluster_process {
public:
  /// `regions` in manifest order; `cluster` members merged into the
  /// manifest's `cluster` object (heartbeat_ms, routing, tls, ...);
  /// `region_extra[i]` merged into region i (fallback, weight).
  /// `log_level` is every node's (node_options::log_level; "debug" shows
  /// the link layer's dial failures).
  explicit cluster_process(std::vector<std::string> regions,
                           nlohmann::json cluster = nlohmann::json::object(),
                           std::vector<nlohmann::json> region_extra = {},
                           std::string log_level = "info");

  /// One manifest entry: node `node` of region `region`.
  struct node_spec {
    std::string node;
    std::string region;
  };

  /// Several nodes per region (issue 5): one entry per node, in manifest
  /// order, each started with `--region <node>` (a node's name selects it).
  /// `cluster` as above; region(i) is node i's region, node_name(i) its name.
  [[nodiscard]] static cluster_process
  with_nodes(std::vector<node_spec> nodes, nlohmann::json cluster = nlohmann::json::object());

  [[nodiscard]] const std::string& node_name(std::size_t i) const {
    return node_names_.empty() ? regions_.at(i) : node_names_.at(i);
  }

  /// The manifest every node gets.
  [[nodiscard]] const nlohmann::json& manifest() const noexcept { return manifest_; }

  [[nodiscard]] std::size_t size() const noexcept { return nodes_.size(); }
  [[nodiscard]] node_process& node(std::size_t i) { return *nodes_.at(i); }
  [[nodiscard]] std::uint16_t http_port(std::size_t i) const { return http_ports_.at(i); }
  [[nodiscard]] const std::string& region(std::size_t i) const { return regions_.at(i); }

  /// True when every node answers GET /v3/cluster with every region `up`
  /// (one try each, 2 s bound): the cluster has linked. Poll it with
  /// `eventually`.
  [[nodiscard]] bool every_node_sees_every_region_up();

private:
  cluster_process() = default;

  std::vector<std::string> regions_;
  std::vector<std::string> node_names_; ///< with_nodes only
  std::vector<std::uint16_t> http_ports_;
  nlohmann::json manifest_;
  std::vector<std::unique_ptr<node_process>> nodes_;
};

} // namespace nzl::test
