#pragma once

#include "net/http_types.hpp"

#include <string>
#include <string_view>

namespace nzl::net {

/// Every endpoint the node serves.
enum class route {
  tasks_run,          ///< POST /v3/tasks
  tasks_batch,        ///< POST /v3/tasks/batch
  v2_delegate,        ///< POST /api/delegate
  v1_gone,            ///< anything under /api/v1/
  task_get,           ///< GET /v3/tasks/{id}
  task_cancel,        ///< DELETE /v3/tasks/{id}
  task_retry,         ///< POST /v3/tasks/{id}/retry
  queue_stats,        ///< GET /v3/queues/{name}
  keys_list,          ///< GET /v3/admin/keys
  keys_create,        ///< POST /v3/admin/keys
  key_revoke,         ///< DELETE /v3/admin/keys/{id}
  key_rotate,         ///< POST /v3/admin/keys/{id}/rotate
  audit_query,        ///< GET /v3/admin/audit
  plugins_list,       ///< GET /v3/plugins
  plugins_reload,     ///< POST /v3/admin/plugins/reload
  cluster_status,     ///< GET /v3/cluster
  cluster_failover,   ///< POST /v3/admin/cluster/failover
  cluster_failback,   ///< POST /v3/admin/cluster/failback
  ws_upgrade,         ///< GET /v3/ws (WebSocket)
  ws_tokens,          ///< POST /v3/ws/tokens
  analytics_summary,  ///< GET /v3/analytics
  analytics_report,   ///< GET /v3/analytics/report
  analytics_alerts,   ///< GET /v3/analytics/alerts
  analytics_live,     ///< GET /v3/analytics/live (the dashboard's snapshot)
  metrics,            ///< GET /metrics (Prometheus; keyless, IP rules apply)
  dashboard,          ///< GET /dashboard (HTML; its data calls need a key)
  health,             ///< GET /health
  ready,              ///< GET /ready
  not_found,          ///< no such path
  method_not_allowed, ///< path exists; see `allow`
};

struct route_match {
  route kind = route::not_found;
  std::string allow;      ///< for method_not_allowed: the Allow header value
  std::string_view param; ///< the {id} or {name} segment, a view into the path
};

/// What a route needs from the caller's API key.
enum class route_scope {
  none,        ///< no key needed (probes, and paths that do not exist)
  tasks_read,  ///< reads task and queue state
  tasks_write, ///< runs, cancels or retries tasks
  admin,       ///< manages keys, audit and plugins
};

/// The scope `kind` requires. An admin key holds every scope.
[[nodiscard]] route_scope scope_of(route kind) noexcept;

/// Maps a method and a path (query already removed) to an endpoint. Pure and
/// allocation-free on the hot path.
[[nodiscard]] route_match match_route(http_method method, std::string_view path);

/// The path of a request target: everything before '?' or '#'.
[[nodiscard]] std::string_view path_of(std::string_view target) noexcept;

} // namespace nzl::net
