#pragma once

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace nzl::actors::operator_shell {

/// Completion of an operator command that waits for the node (a queue, the
/// key store, a cluster drain). May be called on any thread, exactly once.
using json_done = std::function<void(result<nlohmann::json>)>;

/// What the operator shell may do on a node, as narrow functions the node
/// fills in (apps/node_main.cpp), so the operator actor never sees the
/// runtime, the HTTP layer or the manifest types. An empty function means
/// "this node cannot do that" and the command answers `unavailable` (for
/// example failover on a node that is not part of a cluster). Every
/// function must be thread-safe and must not throw.
struct operator_hooks {
  std::function<nlohmann::json()> status; ///< region, node, readiness, version, ...
  std::function<void(json_done)> actors;  ///< {actors: [{name, kind, count, mailbox, wait_us}]}
  std::function<std::vector<std::string>()> queue_names; ///< queues known to the node
  std::function<void(std::string name, json_done)> queue_stats;
  std::function<void(std::string id, json_done)> get_task;
  std::function<void(std::string id, json_done)> cancel_task;
  std::function<void(std::string id, json_done)> retry_task;
  std::function<nlohmann::json()> sessions; ///< WebSocket sessions
  std::function<result<nlohmann::json>(std::string id)> kick;
  std::function<void(std::string from, std::string to, json_done)> failover;
  std::function<void(std::string region, json_done)> failback;
  std::function<nlohmann::json()> config_show; ///< the manifest, secrets redacted
  std::function<result<nlohmann::json>()> config_reload;
  std::function<result<nlohmann::json>(std::string level)> set_log_level;
  std::function<void(json_done)> keys_list;
  std::function<void(nlohmann::json spec, json_done)> keys_create; ///< as POST /v3/admin/keys
  std::function<void(std::string id, json_done)> keys_revoke;
  /// One audit record per command: who, the command line, 0 ok / 1 refused
  /// by the node / 2 usage / 3 the operator's identity did not verify.
  std::function<void(const std::string& identity, const std::string& line, int status)> audit;
  std::string region; ///< this node's region (drain/undrain act on it)
};

} // namespace nzl::actors::operator_shell
