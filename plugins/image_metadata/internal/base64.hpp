#pragma once

#include "core/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace nzl::plugins::image_metadata::internal {

/// Decodes standard base64 (RFC 4648 section 4, `+/`, `=` padding required)
/// strictly: no whitespace, no URL alphabet, length a multiple of 4, padding
/// only at the end, and the unused bits of the last symbol zero (so each byte
/// string has exactly one accepted encoding). Output larger than `max_bytes`
/// is refused before anything is decoded. Errors are `errc::invalid_field`.
[[nodiscard]] result<std::string> decode_base64(std::string_view text, std::size_t max_bytes);

/// Encodes `bytes` as standard padded base64 (tests and tools).
[[nodiscard]] std::string encode_base64(std::string_view bytes);

} // namespace nzl::plugins::image_metadata::internal
