#include "core/problem.hpp"

namespace nzl {

problem_type problem_type_of(errc code) noexcept {
  switch (code) {
  case errc::bad_request:
    return {400, "Bad request"};
  case errc::invalid_json:
    return {400, "Malformed JSON"};
  case errc::invalid_field:
    return {400, "Invalid field"};
  case errc::unsupported_media_type:
    return {415, "Unsupported media type"};
  case errc::payload_too_large:
    return {413, "Payload too large"};
  case errc::header_too_large:
    return {431, "Request header fields too large"};
  case errc::not_found:
    return {404, "Not found"};
  case errc::method_not_allowed:
    return {405, "Method not allowed"};
  case errc::gone:
    return {410, "Gone"};
  case errc::unknown_task_type:
    return {422, "Unknown task type"};
  case errc::batch_too_large:
    return {413, "Batch too large"};
  case errc::task_failed:
    return {422, "Task failed"};
  case errc::task_timeout:
    return {504, "Task timed out"};
  case errc::task_cancelled:
    return {409, "Task cancelled"};
  case errc::egress_denied:
    return {422, "Destination not allowed"};
  case errc::upstream_failed:
    return {502, "Upstream call failed"};
  case errc::storage_failed:
    return {500, "Storage failed"};
  case errc::conflict:
    return {409, "Conflict"};
  case errc::idempotency_mismatch:
    return {422, "Idempotency key reused"};
  case errc::idempotency_busy:
    return {409, "Idempotency key in use"};
  case errc::unauthenticated:
    return {401, "Unauthenticated"};
  case errc::forbidden:
    return {403, "Forbidden"};
  case errc::rate_limited:
    return {429, "Too many requests"};
  case errc::overloaded:
    return {503, "Overloaded"};
  case errc::unavailable:
    return {503, "Unavailable"};
  case errc::internal:
    return {500, "Internal error"};
  }
  return {500, "Internal error"};
}

std::string problem_type_uri(errc code) {
  std::string uri = "urn:noizylab:problem:";
  for (char c : to_string(code))
    uri.push_back(c == '_' ? '-' : c);
  return uri;
}

nlohmann::json make_problem(const error& err, std::string_view request_id,
                            std::string_view instance) {
  const auto type = problem_type_of(err.code);
  nlohmann::json doc = nlohmann::json::object();
  if (err.extensions.is_object())
    for (const auto& [key, value] : err.extensions.items())
      doc[key] = value;
  doc["type"] = problem_type_uri(err.code);
  doc["title"] = type.title;
  doc["status"] = type.status;
  doc["detail"] = err.detail.empty() ? std::string{type.title} : err.detail;
  doc["code"] = to_string(err.code);
  doc["request_id"] = request_id;
  doc["retryable"] = advice_for(err.code) == advice::retry_later;
  if (!instance.empty())
    doc["instance"] = instance;
  return doc;
}

} // namespace nzl
