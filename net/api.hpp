#pragma once

#include "core/error.hpp"
#include "net/http_types.hpp"
#include "net/router.hpp"
#include "net/task_service.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace nzl::net {

class gateway;
struct admission;
class security_service;
class plugin_service;
class analytics_service;
namespace ws {
class token_store;
}

/// The optional parts of the API: without a gateway every request is let in
/// (unit tests of the task paths); without a service its endpoints answer 404.
struct api_services {
  gateway* gate = nullptr;
  security_service* security = nullptr;
  plugin_service* plugins = nullptr;
  ws::token_store* ws_tokens = nullptr; ///< POST /v3/ws/tokens
  /// Measures every request and task; serves /v3/analytics*, /metrics, /dashboard.
  analytics_service* analytics = nullptr;
};

struct api_options {
  std::size_t max_batch_tasks = 100;
  std::size_t max_json_depth = 64;
  std::uint32_t task_timeout_ms = 30'000;
  std::string version = "0.0.0";
};

/// The HTTP API (v3, v2, v1 and probes) without the HTTP library: turns an
/// `http_request` into task requests for the `task_service` and its outcomes
/// into responses and RFC 9457 problem documents. Thread-safe: `handle` may be
/// called from every io thread at once.
class api {
public:
  using responder = std::function<void(http_response)>;

  api(task_service& service, api_options options, api_services services = {});

  /// Handles one request; `done` is called exactly once, on any thread.
  void handle(http_request request, responder done);

  /// A problem-document response for `err` (used by the server for errors it
  /// finds itself: oversized heads and bodies, overload, timeouts).
  [[nodiscard]] http_response problem(const error& err, std::string_view request_id,
                                      std::string_view instance = {}) const;

  [[nodiscard]] const api_options& options() const noexcept { return options_; }

private:
  void route_request(route_match& match, http_request& request, responder& done, admission* adm);
  void ws_token(http_request& request, responder& done);
  void analytics_view(route kind, http_request& request, responder& done);
  void measure_http(route kind, std::string_view key_id,
                    std::chrono::steady_clock::time_point started, std::uint32_t request_bytes,
                    const http_response& res) const noexcept;
  void admin(route kind, std::string_view param, http_request& request, responder& done);
  void dispatch(route kind, http_request& request, responder& done, admission* adm = nullptr);
  void run_idempotent(route kind, http_request request, responder done, admission* adm);
  void run_task(http_request& request, responder& done, bool v2);
  void run_batch(http_request& request, responder& done, admission* adm);
  http_response health(const http_request& request) const;
  task_service::json_handler json_answer(const http_request& request, responder done,
                                         int status) const;
  http_response readiness(const http_request& request) const;

  task_service& service_;
  api_options options_;
  api_services services_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

} // namespace nzl::net
