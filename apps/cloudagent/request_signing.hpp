#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nzl::cli {

/// Request signing as the node checks it (for keys created with
/// --require-signature). The signed text is
///   "<timestamp>\n<nonce>\n<METHOD>\n<path with query>\n<hex SHA-256 of body>"
/// and X-Signature is "v1=" + hex HMAC-SHA256 of it, keyed with the secret's
/// text as given. A local implementation over OpenSSL until security/ offers
/// one (same format). Pure functions except make_nonce; thread-safe.

[[nodiscard]] std::string sha256_hex(std::string_view data);

[[nodiscard]] std::string canonical_string(std::int64_t timestamp, std::string_view nonce,
                                           std::string_view method, std::string_view target,
                                           std::string_view body);

/// "v1=<hex HMAC-SHA256(secret, canonical)>".
[[nodiscard]] std::string sign(std::string_view secret, std::string_view canonical);

/// 24 random URL-safe characters (A-Z a-z 0-9 - _) from RAND_bytes.
[[nodiscard]] std::string make_nonce();

/// X-Timestamp, X-Nonce and X-Signature for one request.
[[nodiscard]] std::vector<std::pair<std::string, std::string>>
signature_headers(std::string_view secret, std::string_view method, std::string_view target,
                  std::string_view body, std::int64_t timestamp, std::string_view nonce);

} // namespace nzl::cli
