#include "security/api_key.hpp"

#include "security/internal/digest.hpp"
#include "security/internal/encoding.hpp"

#include <algorithm>
#include <array>
#include <openssl/crypto.h>

namespace nzl::security {

namespace {

constexpr std::size_t key_random_bytes = 32;
constexpr std::size_t id_random_bytes = 8;
constexpr std::size_t secret_random_bytes = 32;

// [A-Za-z0-9_-] as a table: one load per character of every presented key.
constexpr auto credential_chars = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c)
    t[static_cast<std::size_t>(c)] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                     (c >= '0' && c <= '9') || c == '_' || c == '-';
  return t;
}();

bool credential_char(char c) noexcept {
  return credential_chars[static_cast<unsigned char>(c)];
}

bool valid_credential(std::string_view key) noexcept {
  if (key.empty() || key.size() > max_credential_length)
    return false;
  // No early exit: one pass without a branch per character.
  bool ok = true;
  for (char c : key)
    ok &= credential_char(c);
  return ok;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y)
      return false;
  }
  return true;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

} // namespace

result<generated_key> generate_key() {
  unsigned char bytes[key_random_bytes];
  unsigned char id_bytes[id_random_bytes];
  if (!internal::random_bytes(bytes, sizeof bytes) ||
      !internal::random_bytes(id_bytes, sizeof id_bytes))
    return fail(errc::internal, "the random number generator failed");
  generated_key out;
  out.key = std::string(key_text_prefix) + internal::base32_lower(bytes, sizeof bytes);
  out.id = "k_" + internal::to_hex(id_bytes, sizeof id_bytes);
  out.prefix = out.key.substr(0, shown_prefix_length);
  OPENSSL_cleanse(bytes, sizeof bytes);
  return out;
}

result<std::string> generate_signing_secret() {
  unsigned char bytes[secret_random_bytes];
  if (!internal::random_bytes(bytes, sizeof bytes))
    return fail(errc::internal, "the random number generator failed");
  std::string out = internal::to_hex(bytes, sizeof bytes);
  OPENSSL_cleanse(bytes, sizeof bytes);
  return out;
}

key_digest hash_key(std::string_view key) noexcept {
  key_digest out{};
  unsigned char digest[internal::sha256_size];
  // Fails only if OpenSSL cannot hash: the all-zero digest then matches no key.
  if (internal::sha256(key, digest))
    std::copy(std::begin(digest), std::end(digest), out.begin());
  return out;
}

bool digest_equal(const key_digest& a, const key_digest& b) noexcept {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string to_hex(const key_digest& digest) {
  return internal::to_hex(digest.data(), digest.size());
}

std::optional<key_digest> digest_from_hex(std::string_view hex) {
  if (hex.size() != 64)
    return std::nullopt;
  auto bytes = internal::from_hex(hex);
  if (!bytes)
    return std::nullopt;
  key_digest out{};
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<unsigned char>((*bytes)[i]);
  return out;
}

bool valid_key_id(std::string_view id) noexcept {
  if (id.size() != 18 || !id.starts_with("k_"))
    return false;
  for (char c : id.substr(2))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

result<std::string_view> parse_credentials(std::string_view authorization,
                                           std::string_view x_api_key) {
  constexpr std::size_t max_header = max_credential_length + 64;
  if (authorization.size() > max_header || x_api_key.size() > max_header)
    return fail(errc::invalid_field, "the credential header is too long");
  std::string_view from_auth;
  authorization = trim(authorization);
  if (!authorization.empty()) {
    auto space = authorization.find_first_of(" \t");
    if (space == std::string_view::npos || !iequals(authorization.substr(0, space), "bearer"))
      return fail(errc::invalid_field, "Authorization must use the Bearer scheme");
    from_auth = trim(authorization.substr(space));
    if (!valid_credential(from_auth))
      return fail(errc::invalid_field, "the bearer token is malformed");
  }
  std::string_view from_header = trim(x_api_key);
  if (!from_header.empty() && !valid_credential(from_header))
    return fail(errc::invalid_field, "X-API-Key is malformed");
  if (!from_auth.empty() && !from_header.empty()) {
    if (!internal::constant_time_equal(from_auth, from_header))
      return fail(errc::invalid_field, "Authorization and X-API-Key carry different keys");
  }
  return from_auth.empty() ? from_header : from_auth;
}

} // namespace nzl::security
