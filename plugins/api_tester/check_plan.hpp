#pragma once

#include "core/result.hpp"
#include "net/outbound/http_client.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nzl::plugins::api_tester {

/// The bounds every api-tester payload is held to (docs/api-tester.md).
struct api_tester_limits {
  std::size_t max_endpoints = 50;
  unsigned max_concurrency = 16;
  unsigned default_concurrency = 4;
  std::uint32_t max_timeout_ms = 30'000;
  std::uint32_t default_timeout_ms = 5'000;
  std::size_t max_response_bytes = 64 * 1024; ///< body bytes read and kept per check
  unsigned max_redirects = 5;                 ///< also the default
  std::size_t max_request_body_bytes = 64 * 1024;
  std::size_t max_headers = 32;
  std::size_t max_header_bytes = 8 * 1024; ///< one header's name plus value
  std::size_t max_url_bytes = 2048;
  std::size_t max_expect_body_bytes = 4096;
  std::size_t max_expect_statuses = 16;
};

/// One endpoint to check, validated.
struct endpoint_check {
  std::string url;
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::vector<int> expect_status; ///< empty: any 2xx passes
  std::optional<std::string> expect_body_contains;
  std::uint32_t timeout_ms = 5'000;
  unsigned max_redirects = 5;
};

/// A validated payload.
struct check_plan {
  std::vector<endpoint_check> checks;
  unsigned concurrency = 4;
};

/// Validates a payload `{"endpoints": [{"url", "method", "headers", "body",
/// "expect_status", "expect_body_contains", "timeout_ms", "max_redirects"}],
/// "concurrency": N}` strictly: unknown fields, wrong types and values out
/// of the limits are errc::invalid_field with extension `field` naming the
/// field (e.g. "endpoints[2].url").
[[nodiscard]] result<check_plan> parse_plan(const nlohmann::json& payload,
                                            const api_tester_limits& limits);

/// The outbound request for a check.
[[nodiscard]] net::outbound::outbound_request to_request(const endpoint_check& check,
                                                         std::size_t max_response_bytes);

/// Judges one check from the client's outcome: `{"url", "method", "status",
/// "latency_ms", "passed", "reasons", "redirects", "final_url",
/// "body_bytes", "body_truncated", "remote_address", "tls"}`. An egress
/// refusal, a timeout or a TLS failure is a failed check, not an error.
/// `latency_ms` is used when the outcome is an error (the response carries
/// its own); `now_unix` is for the certificate's days left.
[[nodiscard]] nlohmann::json judge(const endpoint_check& check,
                                   const result<net::outbound::outbound_response>& outcome,
                                   double latency_ms, std::int64_t now_unix);

/// `{"total", "passed", "failed", "latency_p50_ms", "latency_max_ms"}` over
/// judged checks.
[[nodiscard]] nlohmann::json summarise(const std::vector<nlohmann::json>& judged);

} // namespace nzl::plugins::api_tester
