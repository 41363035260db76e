#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace nzl {

/// The one error model of the project. Each code says what a caller should do
/// (see `advice`); messages are for humans and never drive decisions.
enum class errc : std::uint8_t {
  bad_request,            ///< malformed request line or head
  invalid_json,           ///< body is not well-formed JSON
  invalid_field,          ///< a field is missing, mistyped or out of range
  unsupported_media_type, ///< body is not declared as JSON
  payload_too_large,      ///< body over the configured limit
  header_too_large,       ///< request head over 16 KiB
  not_found,              ///< no such path or resource
  method_not_allowed,     ///< path exists, method does not
  gone,                   ///< retired API version
  unknown_task_type,      ///< no handler for the task type
  batch_too_large,        ///< more tasks in a batch than allowed
  task_failed,            ///< the handler ran and reported an error
  task_timeout,           ///< the task did not finish within its deadline
  task_cancelled,         ///< the task was cancelled before it finished
  egress_denied,          ///< an outbound destination is not allowed by the egress rules
  upstream_failed,        ///< an outbound call failed (connect, TLS, timeout, bad answer)
  storage_failed,         ///< the data directory failed a read or write; an operator must look
  conflict,               ///< the request conflicts with the resource's state
  idempotency_mismatch,   ///< an Idempotency-Key reused for a different request
  idempotency_busy,       ///< too many requests with one Idempotency-Key in flight; retry
  unauthenticated,        ///< no, unknown, revoked or expired API key, or a bad signature
  forbidden,              ///< the key lacks the scope, or an IP or country rule refuses
  rate_limited,           ///< the key's (or client's) rate limit is used up; retry later
  overloaded,             ///< too many connections or requests; retry later
  unavailable,            ///< the node is starting or draining; retry later
  internal,               ///< a bug or an impossible state; report it
};

/// What a caller should do about an error.
enum class advice : std::uint8_t {
  fix_request, ///< the request is wrong: change it before sending again
  retry_later, ///< a transient condition: send the same request again later
  report,      ///< an internal fault: an operator must look
};

/// An error with a human-readable detail and optional problem-document
/// extension members (for example `{"field": "type"}`).
struct error {
  errc code = errc::internal;
  std::string detail;
  nlohmann::json extensions = nlohmann::json::object();
};

[[nodiscard]] advice advice_for(errc code) noexcept;

/// Stable lower-case name of a code, used as the problem document's `code`.
[[nodiscard]] std::string_view to_string(errc code) noexcept;

} // namespace nzl
