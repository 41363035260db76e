#include "net/router.hpp"

#include <array>
#include <initializer_list>
#include <optional>

namespace nzl::net {

namespace {

struct endpoint {
  std::string_view path;
  http_method method;
  route kind;
};

// One row per (path, method). Small enough that a linear scan beats a map.
constexpr std::array endpoints{
    endpoint{"/v3/tasks", http_method::post, route::tasks_run},
    endpoint{"/v3/tasks/batch", http_method::post, route::tasks_batch},
    endpoint{"/api/delegate", http_method::post, route::v2_delegate},
    endpoint{"/health", http_method::get, route::health},
    endpoint{"/health", http_method::head, route::health},
    endpoint{"/ready", http_method::get, route::ready},
    endpoint{"/ready", http_method::head, route::ready},
    endpoint{"/v3/ws", http_method::get, route::ws_upgrade},
    endpoint{"/v3/ws/tokens", http_method::post, route::ws_tokens},
    endpoint{"/v3/admin/keys", http_method::get, route::keys_list},
    endpoint{"/v3/admin/keys", http_method::post, route::keys_create},
    endpoint{"/v3/admin/audit", http_method::get, route::audit_query},
    endpoint{"/v3/plugins", http_method::get, route::plugins_list},
    endpoint{"/v3/admin/plugins/reload", http_method::post, route::plugins_reload},
    endpoint{"/v3/analytics", http_method::get, route::analytics_summary},
    endpoint{"/v3/analytics/report", http_method::get, route::analytics_report},
    endpoint{"/v3/analytics/alerts", http_method::get, route::analytics_alerts},
    endpoint{"/v3/analytics/live", http_method::get, route::analytics_live},
    endpoint{"/metrics", http_method::get, route::metrics},
    endpoint{"/dashboard", http_method::get, route::dashboard},
    endpoint{"/v3/cluster", http_method::get, route::cluster_status},
    endpoint{"/v3/admin/cluster/failover", http_method::post, route::cluster_failover},
    endpoint{"/v3/admin/cluster/failback", http_method::post, route::cluster_failback},
};

} // namespace

std::string_view to_string(http_method method) noexcept {
  switch (method) {
  case http_method::get:
    return "GET";
  case http_method::head:
    return "HEAD";
  case http_method::post:
    return "POST";
  case http_method::put:
    return "PUT";
  case http_method::patch:
    return "PATCH";
  case http_method::del:
    return "DELETE";
  case http_method::options:
    return "OPTIONS";
  case http_method::other:
    return "OTHER";
  }
  return "OTHER";
}

std::string_view path_of(std::string_view target) noexcept {
  auto end = target.find_first_of("?#");
  return end == std::string_view::npos ? target : target.substr(0, end);
}

route_scope scope_of(route kind) noexcept {
  switch (kind) {
  case route::tasks_run:
  case route::tasks_batch:
  case route::v2_delegate:
  case route::task_cancel:
  case route::task_retry:
  case route::ws_upgrade:
  case route::ws_tokens:
    return route_scope::tasks_write;
  case route::task_get:
  case route::queue_stats:
  case route::plugins_list:
  case route::cluster_status:
  case route::analytics_summary:
  case route::analytics_report:
  case route::analytics_alerts:
  case route::analytics_live:
    return route_scope::tasks_read;
  case route::keys_list:
  case route::keys_create:
  case route::key_revoke:
  case route::key_rotate:
  case route::audit_query:
  case route::plugins_reload:
  case route::cluster_failover:
  case route::cluster_failback:
    return route_scope::admin;
  case route::v1_gone:
  case route::metrics:   // scrapeable: keyless, but IP rules and the anonymous tier apply
  case route::dashboard: // the page only; its data calls carry a key
  case route::health:
  case route::ready:
  case route::not_found:
  case route::method_not_allowed:
    return route_scope::none;
  }
  return route_scope::admin;
}

route_match match_route(http_method method, std::string_view path) {
  // Tolerate one trailing slash ("/health/"), but not on the root.
  if (path.size() > 1 && path.back() == '/')
    path.remove_suffix(1);
  if (path == "/api/v1" || path.starts_with("/api/v1/"))
    return {route::v1_gone, {}, {}};
  // Parameterised paths: /v3/tasks/{id}, /v3/tasks/{id}/retry, /v3/queues/{name}.
  auto param_route = [&](std::string_view prefix, std::string_view suffix,
                         std::initializer_list<std::pair<http_method, route>> methods)
      -> std::optional<route_match> {
    if (!path.starts_with(prefix) || !path.ends_with(suffix) ||
        path.size() <= prefix.size() + suffix.size())
      return std::nullopt;
    auto param = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
    if (param.find('/') != std::string_view::npos)
      return std::nullopt;
    std::string allowed;
    for (const auto& [m, kind] : methods) {
      if (m == method)
        return route_match{kind, {}, param};
      allowed += (allowed.empty() ? "" : ", ") + std::string{to_string(m)};
    }
    return route_match{route::method_not_allowed, std::move(allowed), param};
  };
  if (path != "/v3/tasks/batch") {
    if (auto m = param_route("/v3/tasks/", "/retry", {{http_method::post, route::task_retry}}))
      return *m;
    if (auto m = param_route(
            "/v3/tasks/", "",
            {{http_method::get, route::task_get}, {http_method::del, route::task_cancel}}))
      return *m;
  }
  if (auto m = param_route("/v3/queues/", "", {{http_method::get, route::queue_stats}}))
    return *m;
  if (path != "/v3/admin/keys") {
    if (auto m =
            param_route("/v3/admin/keys/", "/rotate", {{http_method::post, route::key_rotate}}))
      return *m;
    if (auto m = param_route("/v3/admin/keys/", "", {{http_method::del, route::key_revoke}}))
      return *m;
  }

  std::string allow;
  for (const auto& e : endpoints) {
    if (e.path != path)
      continue;
    if (e.method == method)
      return {e.kind, {}, {}};
    if (!allow.empty())
      allow += ", ";
    allow += to_string(e.method);
  }
  if (allow.empty())
    return {route::not_found, {}, {}};
  return {route::method_not_allowed, std::move(allow), {}};
}

} // namespace nzl::net
