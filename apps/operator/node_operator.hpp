#pragma once

#include "actors/actor_probe.hpp"
#include "actors/operator/operator_hooks.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace nzl::actors {
class node_runtime;
}
namespace nzl::config {
struct manifest;
}
namespace nzl::cluster {
class cluster_control;
}
namespace nzl::net {
class task_service;
class security_service;
} // namespace nzl::net
namespace nzl::net::ws {
class ws_hub;
}

namespace nzl::apps {

/// What the node gives its operator endpoint (issue 10). Pointers stay
/// valid until the operator server is stopped; `cluster` and `ws` may be
/// null (a one-region node, no WebSocket hub).
struct node_operator_deps {
  std::filesystem::path manifest_path; ///< read again by `config show/reload`
  std::string region;
  std::string version;
  net::task_service* tasks = nullptr;
  cluster::cluster_control* cluster = nullptr;
  net::security_service* security = nullptr;
  net::ws::ws_hub* ws = nullptr;
  bool analytics = false;
  unsigned executor_threads = 0;
  std::uint16_t http_port = 0;
  std::function<std::size_t()> operator_mailbox; ///< the operator actor's mailbox size
  /// Its queues (`queues`); null: only "default".
  actors::node_runtime* runtime = nullptr;
  /// What `actors` probes, one prober per owner of actors (the runtime, the
  /// analytics hub, the cluster link); their rows are shown in this order.
  /// Each must answer exactly once.
  std::vector<actors::actor_prober> probes;
  /// `config reload`: applies what of a validated manifest can change while
  /// the node runs and returns the manifest fields it applied (dotted paths;
  /// a path covers everything under it). Null: nothing applies live.
  std::function<std::vector<std::string>(const config::manifest&)> apply_live;
};

/// The operator hooks of a running node, over its services.
[[nodiscard]] actors::operator_shell::operator_hooks make_node_operator_hooks(node_operator_deps d);

/// The manifest JSON with every secret-looking member replaced by
/// "[redacted]" (names containing secret, password, token, or ending in
/// "_key"; file paths such as key_file are kept).
[[nodiscard]] nlohmann::json redact_manifest(nlohmann::json doc);

} // namespace nzl::apps
