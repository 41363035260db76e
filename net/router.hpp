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

/// Maps a method and a path (query already removed) to an endpoint. Pure and
/// allocation-free on the hot path.
[[nodiscard]] route_match match_route(http_method method, std::string_view path);

/// The path of a request target: everything before '?' or '#'.
[[nodiscard]] std::string_view path_of(std::string_view target) noexcept;

} // namespace nzl::net
