#include "net/router.hpp"

#include <array>

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
    case http_method::get: return "GET";
    case http_method::head: return "HEAD";
    case http_method::post: return "POST";
    case http_method::put: return "PUT";
    case http_method::patch: return "PATCH";
    case http_method::del: return "DELETE";
    case http_method::options: return "OPTIONS";
    case http_method::other: return "OTHER";
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
    return {route::v1_gone, {}};
  std::string allow;
  for (const auto& e : endpoints) {
    if (e.path != path)
      continue;
    if (e.method == method)
      return {e.kind, {}};
    if (!allow.empty())
      allow += ", ";
    allow += to_string(e.method);
  }
  if (allow.empty())
    return {route::not_found, {}};
  return {route::method_not_allowed, std::move(allow)};
}

} // namespace nzl::net
