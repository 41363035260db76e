#pragma once

#include <cstddef>
#include <string_view>

namespace nzl::plugins::text_analysis {

namespace internal {
struct text_scan;
}

/// Basic counts of a text.
struct text_statistics {
  std::size_t bytes = 0;
  std::size_t characters = 0; ///< Unicode code points
  std::size_t characters_excluding_spaces = 0;
  std::size_t words = 0;
  std::size_t unique_words = 0; ///< distinct lower-cased words
  std::size_t sentences = 0;
  std::size_t paragraphs = 0;
  double average_word_length = 0;     ///< letters and digits per word
  double average_sentence_length = 0; ///< words per sentence
};

[[nodiscard]] text_statistics compute_statistics(std::string_view text,
                                                 const internal::text_scan& scan);

} // namespace nzl::plugins::text_analysis
