#pragma once

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace nzl::cluster {

/// The cluster operations the HTTP layer offers (GET /v3/cluster, admin
/// failover and failback), implemented by actors::cluster::cluster_service.
/// Header-only so that net/ can use it without linking the cluster.
class cluster_control {
public:
  using json_handler = std::function<void(result<nlohmann::json>)>;

  virtual ~cluster_control() = default;

  /// Every region and node: state, last heartbeat, RTT, load.
  [[nodiscard]] virtual nlohmann::json status() const = 0;

  /// Drains region `from`: its traffic goes to `to` (or to its fallbacks
  /// when empty) while it keeps running. Answers once the region took it.
  virtual void failover(std::string from, std::string to, json_handler done) = 0;

  /// Undoes a failover of `region`.
  virtual void failback(std::string region, json_handler done) = 0;
};

} // namespace nzl::cluster
