#pragma once

#include <string_view>
#include <unordered_set>

namespace nzl::plugins::text_analysis::internal {

using stop_word_set = std::unordered_set<std::string_view>;

/// The stop words of a language by ISO 639-1 code (en, de, fr, es, it, pt,
/// nl), lower-case; null for a language we have no list for. Built once.
[[nodiscard]] const stop_word_set* stop_words(std::string_view language) noexcept;

} // namespace nzl::plugins::text_analysis::internal
