#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::plugins::text_analysis {

namespace internal {
struct text_scan;
}

/// A key phrase found by RAKE (Rose et al., 2010).
struct key_phrase {
  std::string phrase; ///< lower-case words joined by spaces
  double score = 0;   ///< sum of its words' degree/frequency
  std::size_t count = 0;
};

/// A frequent content word.
struct key_term {
  std::string term;
  std::size_t count = 0;
};

struct keyword_result {
  std::vector<key_phrase> phrases; ///< best first
  std::vector<key_term> terms;     ///< most frequent first
  std::string stop_words;          ///< language of the stop list used ("" = none)
};

/// Keywords of a scanned text: candidate phrases are runs of words between
/// punctuation and stop words (at most 4 words; numbers are skipped); each
/// word scores degree/frequency, a phrase the sum over its words. Terms are
/// the most frequent non-stop words of two or more letters. `language` picks
/// the stop list; a language without one falls back to English.
[[nodiscard]] keyword_result extract_keywords(const internal::text_scan& scan,
                                              std::string_view language, std::size_t max_results);

} // namespace nzl::plugins::text_analysis
