#pragma once

#include "core/error.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace nzl {

/// The HTTP face of an error code: status and title of its RFC 9457 problem type.
struct problem_type {
  int status;
  std::string_view title;
};

[[nodiscard]] problem_type problem_type_of(errc code) noexcept;

/// The `type` URI of a code's problem document (`urn:noizylab:problem:<code>`),
/// documented in docs/api.md. A URN, so that no client tries to fetch it.
[[nodiscard]] std::string problem_type_uri(errc code);

/// Builds the RFC 9457 problem document for `err`: `type`, `title`, `status`,
/// `detail`, `code`, `request_id`, `instance` (when given), `retryable`, and
/// the error's extension members (which never override the standard ones).
[[nodiscard]] nlohmann::json make_problem(const error& err, std::string_view request_id,
                                          std::string_view instance = {});

} // namespace nzl
