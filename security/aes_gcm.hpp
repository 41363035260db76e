#pragma once

#include "core/result.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace nzl::security {

// Secrets at rest (signing secrets in the key table) are sealed with
// AES-256-GCM under the node key: sealed = nonce (12 random bytes) |
// ciphertext | tag (16 bytes). The associated data binds a sealed value to
// where it belongs (use the key id), so a sealed secret copied onto another
// record does not open. The node key comes from an environment variable or a
// key file readable by the owner only.

/// Bytes added by `seal` to the plaintext (nonce and tag).
inline constexpr std::size_t sealed_overhead = 12 + 16;
/// Largest plaintext `seal` accepts.
inline constexpr std::size_t max_sealed_plaintext = 1 << 20;

/// 32 bytes of key material, wiped (OPENSSL_cleanse) when destroyed.
/// Move-only so that copies do not spread across memory.
class node_key {
public:
  /// A key from exactly 32 bytes; nullopt otherwise.
  [[nodiscard]] static std::optional<node_key> from_bytes(std::string_view bytes);

  /// A key from text: 64 hex characters or standard base64 of 32 bytes, with
  /// surrounding whitespace ignored; nullopt otherwise.
  [[nodiscard]] static std::optional<node_key> from_text(std::string_view text);

  node_key(node_key&& other) noexcept;
  node_key& operator=(node_key&& other) noexcept;
  node_key(const node_key&) = delete;
  node_key& operator=(const node_key&) = delete;
  ~node_key();

  [[nodiscard]] const unsigned char* data() const noexcept { return bytes_.data(); }

private:
  node_key() = default;
  std::array<unsigned char, 32> bytes_{};
};

/// Encrypts and authenticates `plaintext` (and authenticates `aad`). Fails
/// (`errc::invalid_field`) for a plaintext over `max_sealed_plaintext`,
/// (`errc::internal`) if OpenSSL does.
[[nodiscard]] result<std::string> seal(const node_key& key, std::string_view plaintext,
                                       std::string_view aad);

/// The plaintext of a sealed value. Fails (`errc::storage_failed`) if it is
/// too short, was altered, or was sealed under another key or `aad`.
[[nodiscard]] result<std::string> open(const node_key& key, std::string_view sealed,
                                       std::string_view aad);

/// The node key: from the environment variable `env_var_name` when it is set
/// and not empty (64 hex characters or base64 of 32 bytes), else from the
/// file at `path` (the same text; it must be a regular file with no group or
/// other permission bits, e.g. mode 0600). Fails with a message naming the
/// variable or the path: `errc::storage_failed` if the file cannot be read or
/// its mode is too open, `errc::invalid_field` if the content is not a key or
/// neither source is configured.
[[nodiscard]] result<node_key> load_node_key(const std::string& path,
                                             std::string_view env_var_name);

/// Creates a new key file at `path` (mode 0600; fails if the file exists)
/// holding a fresh random key as 64 hex characters and a newline, fsynced.
/// Returns the key.
[[nodiscard]] result<node_key> create_node_key_file(const std::string& path);

} // namespace nzl::security
