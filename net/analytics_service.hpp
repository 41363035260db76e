#pragma once

#include "core/result.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace nzl::net {

/// One measured request, task or WebSocket message, as net/ reports it. Views
/// only: the implementation interns the names before `record` returns.
struct measurement {
  enum class kind : std::uint8_t { http = 0, task = 1, websocket = 2 };
  kind what = kind::http;
  std::string_view type;   ///< route name (http), task type, message type
  std::string_view region; ///< the region that served it
  std::string_view key_id; ///< API key id; empty: anonymous
  std::uint32_t latency_us = 0;
  std::uint32_t request_bytes = 0;
  std::uint32_t response_bytes = 0;
  std::uint16_t status = 200;  ///< HTTP status or its equivalent
  std::uint8_t error_code = 0; ///< 1 + nzl::errc, 0 when none
  bool rate_limited = false;   ///< refused by a rate limit
  bool durable = false;        ///< went through a durable queue
};

/// What `view` answers: a body and its media type.
struct analytics_answer {
  std::string content_type = "application/json";
  std::string body;
};

/// The analytics as net/ reaches them (net never includes actors/):
/// implemented by actors::analytics::analytics_hub. Thread-safe.
class analytics_service {
public:
  /// The read-side endpoints.
  enum class view_kind : std::uint8_t {
    summary,   ///< GET /v3/analytics?window=&group_by=&kind=&scope=
    report,    ///< GET /v3/analytics/report?format=&window=
    alerts,    ///< GET /v3/analytics/alerts (firing alerts and recent events)
    live,      ///< GET /v3/analytics/live (what the dashboard shows)
    metrics,   ///< GET /metrics (Prometheus text)
    dashboard, ///< GET /dashboard (the HTML page)
  };
  using answer_handler = std::function<void(result<analytics_answer>)>;

  virtual ~analytics_service() = default;

  /// Hot path: queues one measurement without a lock or an allocation (a
  /// full buffer drops it and counts the drop). Any thread.
  virtual void record(const measurement& m) noexcept = 0;

  /// Answers a read endpoint; `query` is the request target's query string
  /// (after '?', undecoded). Bad parameters come back as
  /// `errc::invalid_field`. `done` runs exactly once, on any thread.
  virtual void view(view_kind kind, std::string query, answer_handler done) = 0;
};

} // namespace nzl::net
