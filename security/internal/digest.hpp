#pragma once

#include <cstddef>
#include <string_view>

namespace nzl::security::internal {

inline constexpr std::size_t sha256_size = 32;

// SHA-256 and HMAC-SHA256 for the request path. OpenSSL 3's one-shot
// SHA256() and HMAC() look the algorithm up by name (a fetch: a property
// query under a lock) on every call, which costs more than hashing a small
// request; here SHA-256 is fetched once per process, each thread reuses its
// own context, and HMAC is RFC 2104 over it. Thread-safe; never throws.

/// SHA-256 of `data` into `out`; false only if OpenSSL fails.
[[nodiscard]] bool sha256(std::string_view data, unsigned char (&out)[sha256_size]) noexcept;

/// HMAC-SHA256 of `message` keyed with `key` (any length, empty included)
/// into `out`; false only if OpenSSL fails.
[[nodiscard]] bool hmac_sha256(std::string_view key, std::string_view message,
                               unsigned char (&out)[sha256_size]) noexcept;

} // namespace nzl::security::internal
