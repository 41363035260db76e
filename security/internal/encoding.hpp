#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace nzl::security::internal {

/// Lower-case hex of `size` bytes.
[[nodiscard]] std::string to_hex(const unsigned char* data, std::size_t size);

/// Lower-case hex of `size` bytes into `out` (2 * size characters, no
/// terminator, no allocation: the signature check's hot path).
void hex_into(const unsigned char* data, std::size_t size, char* out) noexcept;
[[nodiscard]] inline std::string to_hex(std::string_view bytes) {
  return to_hex(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

/// Bytes of an even-length hex text (either case); nullopt if malformed.
[[nodiscard]] std::optional<std::string> from_hex(std::string_view text);

/// Standard, padded base64 (RFC 4648 section 4).
[[nodiscard]] std::string base64_encode(std::string_view bytes);

/// Strict padded base64 to bytes; nullopt if malformed or non-canonical.
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);

/// RFC 4648 base32 in lower case without padding.
[[nodiscard]] std::string base32_lower(const unsigned char* data, std::size_t size);

/// Fills `out` with `size` bytes from OpenSSL's CSPRNG; false on failure.
[[nodiscard]] bool random_bytes(unsigned char* out, std::size_t size) noexcept;

/// True if the two views are equal. Time depends on the lengths only, never on
/// where the contents differ.
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

} // namespace nzl::security::internal
