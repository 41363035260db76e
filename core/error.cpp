#include "core/error.hpp"

namespace nzl {

advice advice_for(errc code) noexcept {
  switch (code) {
  case errc::task_timeout:
  case errc::overloaded:
  case errc::unavailable:
    return advice::retry_later;
  case errc::internal:
  case errc::storage_failed:
    return advice::report;
  case errc::upstream_failed:
  case errc::idempotency_busy:
  case errc::rate_limited:
    return advice::retry_later;
  default:
    return advice::fix_request;
  }
}

std::string_view to_string(errc code) noexcept {
  switch (code) {
  case errc::bad_request:
    return "bad_request";
  case errc::invalid_json:
    return "invalid_json";
  case errc::invalid_field:
    return "invalid_field";
  case errc::unsupported_media_type:
    return "unsupported_media_type";
  case errc::payload_too_large:
    return "payload_too_large";
  case errc::header_too_large:
    return "header_too_large";
  case errc::not_found:
    return "not_found";
  case errc::method_not_allowed:
    return "method_not_allowed";
  case errc::gone:
    return "gone";
  case errc::unknown_task_type:
    return "unknown_task_type";
  case errc::batch_too_large:
    return "batch_too_large";
  case errc::task_failed:
    return "task_failed";
  case errc::task_timeout:
    return "task_timeout";
  case errc::task_cancelled:
    return "task_cancelled";
  case errc::egress_denied:
    return "egress_denied";
  case errc::upstream_failed:
    return "upstream_failed";
  case errc::storage_failed:
    return "storage_failed";
  case errc::conflict:
    return "conflict";
  case errc::idempotency_mismatch:
    return "idempotency_mismatch";
  case errc::idempotency_busy:
    return "idempotency_busy";
  case errc::unauthenticated:
    return "unauthenticated";
  case errc::forbidden:
    return "forbidden";
  case errc::rate_limited:
    return "rate_limited";
  case errc::overloaded:
    return "overloaded";
  case errc::unavailable:
    return "unavailable";
  case errc::internal:
    return "internal";
  }
  return "internal";
}

} // namespace nzl
