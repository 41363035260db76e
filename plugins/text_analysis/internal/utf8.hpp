#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace nzl::plugins::text_analysis::internal {

/// The offset of the first byte that is not part of well-formed UTF-8 (RFC
/// 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or nullopt
/// when all of `text` is well-formed.
[[nodiscard]] std::optional<std::size_t> find_invalid_utf8(std::string_view text) noexcept;

/// Decodes the code point at `text[i]` and advances `i` past it. `text` must
/// be well-formed UTF-8 (checked by `find_invalid_utf8`) and `i < text.size()`.
[[nodiscard]] char32_t next_code_point(std::string_view text, std::size_t& i) noexcept;

/// True for the characters JavaScript's `\s` matches (ECMAScript WhiteSpace and
/// LineTerminator), which is what the VADER reference splits words on.
[[nodiscard]] bool is_js_space(char32_t c) noexcept;

/// The length of well-formed UTF-8 `text` in UTF-16 code units (JavaScript's
/// `String.length`), counting at most up to `cap` (cheap length tests).
[[nodiscard]] std::size_t utf16_length(std::string_view text, std::size_t cap) noexcept;

/// Appends `c` to `out` as UTF-8.
void append_utf8(std::string& out, char32_t c);

/// A simple lower-case mapping: ASCII, Latin-1, Latin Extended-A, Greek and
/// Cyrillic capitals; everything else is returned unchanged.
[[nodiscard]] char32_t to_lower(char32_t c) noexcept;

/// True for letters and digits in the scripts we tokenise (ASCII, Latin,
/// Greek, Cyrillic, and any code point above U+00FF that is not punctuation,
/// a symbol or a space by the block it lives in).
[[nodiscard]] bool is_word_char(char32_t c) noexcept;

/// True for a letter (not a digit) under the same approximation.
[[nodiscard]] bool is_letter(char32_t c) noexcept;

} // namespace nzl::plugins::text_analysis::internal
