#pragma once

#include "core/result.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace nzl::security {

// API keys. A key is `nzk_` followed by 52 lower-case base32 characters (32
// random bytes, 256 bits). The node stores only its SHA-256 digest and looks a
// presented key up by that digest; the key itself is shown once, at creation.
// The first 12 characters (the "prefix") are stored in clear so that lists can
// show which key is which without revealing it.

/// Text every key starts with.
inline constexpr std::string_view key_text_prefix = "nzk_";
/// Characters of a key shown in lists (`nzk_` and 8 more).
inline constexpr std::size_t shown_prefix_length = 12;
/// Longest credential `parse_credentials` accepts.
inline constexpr std::size_t max_credential_length = 128;

/// SHA-256 digest of a key: what the key table stores and is indexed by.
using key_digest = std::array<unsigned char, 32>;

/// A freshly generated key.
struct generated_key {
  std::string key;    ///< the secret; show once, never store
  std::string id;     ///< `k_` + 16 lower-case hex characters; public, stable
  std::string prefix; ///< first `shown_prefix_length` characters of `key`
};

/// A new random key and id. Fails (`errc::internal`) only if the CSPRNG does.
[[nodiscard]] result<generated_key> generate_key();

/// A new signing secret: 64 lower-case hex characters (32 random bytes). The
/// HMAC key is the secret's text exactly as shown (its ASCII bytes), so a
/// client can use it as-is. Fails only if the CSPRNG does.
[[nodiscard]] result<std::string> generate_signing_secret();

/// SHA-256 of the key's text.
[[nodiscard]] key_digest hash_key(std::string_view key) noexcept;

/// Equality of two digests in constant time.
[[nodiscard]] bool digest_equal(const key_digest& a, const key_digest& b) noexcept;

/// Lower-case hex of a digest (64 characters), and back (nullopt if malformed).
[[nodiscard]] std::string to_hex(const key_digest& digest);
[[nodiscard]] std::optional<key_digest> digest_from_hex(std::string_view hex);

/// True for `k_` followed by exactly 16 lower-case hex characters.
[[nodiscard]] bool valid_key_id(std::string_view id) noexcept;

/// The credential of a request from its `Authorization` and `X-API-Key`
/// header values (pass "" for an absent header). Accepts `Bearer <key>` with
/// the scheme in any case and one or more spaces, or the bare key in
/// X-API-Key. The key must be 1..`max_credential_length` characters of
/// [A-Za-z0-9_-]. Returns an empty view when neither header is present (an
/// anonymous request), the key (a view into one of the arguments) otherwise.
/// Fails with `errc::invalid_field` when a header is malformed, uses another
/// scheme, or both are present with different keys. The caller answers every
/// failure with 401 and must not echo the header back.
[[nodiscard]] result<std::string_view> parse_credentials(std::string_view authorization,
                                                         std::string_view x_api_key);

} // namespace nzl::security
