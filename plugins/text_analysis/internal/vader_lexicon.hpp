#pragma once

#include <string_view>
#include <unordered_map>

namespace nzl::plugins::text_analysis::internal {

/// The VADER lexicon (word -> mean valence), parsed once from the
/// vader_lexicon.txt compiled into the library. Keys view the embedded bytes,
/// so they live as long as the program. Duplicate words: the last line wins,
/// as in the reference's JavaScript object.
struct vader_lexicon {
  std::unordered_map<std::string_view, double> valence;
};

/// The process-wide lexicon; built on first use (thread-safe static init).
[[nodiscard]] const vader_lexicon& lexicon() noexcept;

/// The raw embedded vader_lexicon.txt.
[[nodiscard]] std::string_view lexicon_text() noexcept;

} // namespace nzl::plugins::text_analysis::internal
