#pragma once

#include <cstdint>
#include <type_traits>

namespace nzl::analytics {

/// What was measured.
enum class sample_kind : std::uint8_t {
  http = 0,      ///< an HTTP request (any endpoint)
  task = 1,      ///< a task run (synchronous or from a queue)
  websocket = 2, ///< a WebSocket message handled
};

/// Flags of a sample.
enum sample_flags : std::uint8_t {
  flag_rate_limited = 1, ///< refused by a rate limit (status 429)
  flag_durable = 2,      ///< went through a durable queue (costs queue-object operations)
};

/// One measurement, made on the hot path and handed to a `recorder`. Fixed
/// size and trivially copyable, so pushing one is a copy into a ring slot.
/// Names are interned ids (`name_table`), 0 meaning "unknown / other".
struct sample {
  std::int64_t at_ms = 0;           ///< unix ms when it finished (0: when drained)
  std::uint32_t latency_us = 0;     ///< from first byte read (or task start) to answer
  std::uint32_t request_bytes = 0;  ///< payload bytes in
  std::uint32_t response_bytes = 0; ///< payload bytes out
  std::uint16_t status = 200;       ///< HTTP status (WebSocket and tasks: the equivalent)
  std::uint16_t type_id = 0;        ///< interned task type (or endpoint) name
  std::uint16_t region_id = 0;      ///< interned region
  std::uint16_t key_id = 0;         ///< interned API key id (0: anonymous)
  std::uint8_t error_code = 0;      ///< 1 + nzl::errc of the error, 0 when none
  sample_kind kind = sample_kind::http;
  std::uint8_t flags = 0; ///< sample_flags
};

static_assert(std::is_trivially_copyable_v<sample>);
static_assert(sizeof(sample) <= 32);

/// Status classes a series is split by.
enum class status_class : std::uint8_t {
  ok = 0,           ///< 1xx-3xx
  client_error = 1, ///< 4xx (counted, but not in the error rate)
  server_error = 2, ///< 5xx: the error rate's numerator
};

[[nodiscard]] constexpr status_class class_of(std::uint16_t status) noexcept {
  return status >= 500   ? status_class::server_error
         : status >= 400 ? status_class::client_error
                         : status_class::ok;
}

} // namespace nzl::analytics
