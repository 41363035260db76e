#pragma once

#include <string>
#include <string_view>

namespace nzl::plugins::image_metadata::internal {

/// `text` cut at its first NUL (metadata strings are often NUL-padded), with
/// every byte sequence that is not well-formed UTF-8 replaced by U+FFFD, so
/// that the result can always be serialised as JSON.
[[nodiscard]] std::string clean_text(std::string_view text);

} // namespace nzl::plugins::image_metadata::internal
