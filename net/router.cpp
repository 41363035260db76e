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
