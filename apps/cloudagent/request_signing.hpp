#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nzl::cli {

/// Request signing as the node checks it (security/signing.hpp, for keys
/// created with --require-signature): X-Timestamp, X-Nonce and
/// X-Signature = "v1=" + hex HMAC-SHA256 over
///   "<timestamp>\n<nonce>\n<METHOD>\n<path with query>\n<hex SHA-256 of body>"
/// keyed with the secret's text as given. Thread-safe.

/// 24 random URL-safe characters (A-Z a-z 0-9 - _) from RAND_bytes.
[[nodiscard]] std::string make_nonce();

/// The three headers for one request; `target` is the path and query as sent.
[[nodiscard]] std::vector<std::pair<std::string, std::string>>
signature_headers(std::string_view secret, std::string_view method, std::string_view target,
                  std::string_view body, std::int64_t timestamp, std::string_view nonce);

} // namespace nzl::cli
