#pragma once

#include <optional>
#include <regex>
#include <string>

namespace nzl::schema::internal {

/// An ECMAScript regex as JSON Schema uses it, compiled for std::wregex over
/// UTF-32 code points (so "." is one code point and \p{Letter} works).
/// \d and \w keep their ASCII meaning; \p{L}, \p{Lu}, \p{Ll}, \p{N}/\p{Nd}
/// (and their long names) map to the "C.UTF-8" locale's classes.
struct pattern {
  std::wregex re;
  std::string source;
};

/// Compiles `source`; on failure returns nullopt and sets `why`.
[[nodiscard]] std::optional<pattern> compile_pattern(const std::string& source, std::string& why);

/// True when `p` finds a match in `text` (UTF-8); false with `error` set when
/// the text is over the size limit or the regex engine gives up.
[[nodiscard]] bool regex_search(const pattern& p, const std::string& text, bool& error);

} // namespace nzl::schema::internal
