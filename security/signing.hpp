#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nzl::security {

// HMAC request signing. A client sends
//   X-Timestamp: <unix seconds>
//   X-Nonce:     <16..64 characters of [A-Za-z0-9_-]>
//   X-Signature: v1=<lower-case hex HMAC-SHA256>
// over the canonical string
//   "<timestamp>\n<nonce>\n<METHOD>\n<path with query>\n<hex SHA-256 of body>"
// keyed with the key's signing secret (its text as shown, see
// generate_signing_secret). The checks here are pure; remembering nonces
// (replay) is the caller's, with `nonce_window` as its in-memory cache.

/// Default largest distance between X-Timestamp and the node's clock.
inline constexpr std::int64_t default_signature_window_s = 300;
/// Bounds of X-Nonce.
inline constexpr std::size_t min_nonce_length = 16;
inline constexpr std::size_t max_nonce_length = 64;

/// Why a signed request was refused (`ok` if it was not).
enum class signature_status : std::uint8_t {
  ok,
  missing_headers,      ///< X-Timestamp, X-Nonce or X-Signature absent
  bad_timestamp,        ///< X-Timestamp is not 1..12 decimal digits
  timestamp_outside,    ///< X-Timestamp more than the window away from now
  bad_nonce,            ///< X-Nonce is not 16..64 URL-safe characters
  bad_signature_format, ///< X-Signature is not "v1=" + 64 hex characters
  wrong_signature,      ///< the HMAC does not match
  no_signing_secret,    ///< the key has none (never an HMAC under an empty key)
};

/// Stable lower-case name of a status, for logs and problem documents.
[[nodiscard]] std::string_view to_string(signature_status status) noexcept;

/// The three header values of a signed request ("" when absent).
struct signature_headers {
  std::string_view timestamp;
  std::string_view nonce;
  std::string_view signature;
};

/// The string a client signs. `method` is upper-cased; `target` is the
/// request target as sent (path and query, no scheme or host).
[[nodiscard]] std::string canonical_string(std::string_view timestamp, std::string_view nonce,
                                           std::string_view method, std::string_view target,
                                           std::string_view body);

/// `canonical_string` with the body given as its lower-case hex SHA-256, for
/// a client that sends one body many times and hashes it once.
[[nodiscard]] std::string canonical_string_hashed(std::string_view timestamp,
                                                  std::string_view nonce, std::string_view method,
                                                  std::string_view target,
                                                  std::string_view body_sha256_hex);

/// "v1=" + lower-case hex HMAC-SHA256 of `canonical` keyed with `secret`
/// (empty only if OpenSSL fails).
[[nodiscard]] std::string sign(std::string_view secret, std::string_view canonical);

/// Lower-case hex SHA-256 of `data` (empty only if OpenSSL fails).
[[nodiscard]] std::string sha256_hex(std::string_view data);

/// The X-Timestamp value in unix seconds, or nullopt unless 1..12 digits.
[[nodiscard]] std::optional<std::int64_t> parse_timestamp(std::string_view text) noexcept;

/// True for 16..64 characters of [A-Za-z0-9_-].
[[nodiscard]] bool valid_nonce(std::string_view nonce) noexcept;

/// The checks that need no secret: all headers present and well-formed, the
/// timestamp within `window_s` of `now_s`. Cheap; run it before looking up
/// anything.
[[nodiscard]] signature_status check_signature_headers(const signature_headers& headers,
                                                       std::int64_t now_s,
                                                       std::int64_t window_s) noexcept;

/// `check_signature_headers`, then the HMAC over the canonical string,
/// compared in constant time. On `ok` the caller must still reject a nonce it
/// has seen (per key) within the window: remember (key id, nonce) until
/// timestamp + window_s.
[[nodiscard]] signature_status verify_request(std::string_view secret,
                                              const signature_headers& headers,
                                              std::string_view method, std::string_view target,
                                              std::string_view body, std::int64_t now_s,
                                              std::int64_t window_s = default_signature_window_s);

} // namespace nzl::security
