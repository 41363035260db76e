#pragma once

#include <cstddef>
#include <string_view>

namespace nzl::plugins::text_analysis {

namespace internal {
struct text_scan;
}

/// The counts the readability formulas use.
struct readability_counts {
  std::size_t sentences = 0;
  std::size_t words = 0;         ///< words with at least one letter
  std::size_t syllables = 0;     ///< English heuristic, see `count_syllables`
  std::size_t complex_words = 0; ///< words of three or more syllables
  std::size_t characters = 0;    ///< letters and digits in those words
};

/// The classic English readability scores. All are 0 when there are no words.
struct readability_scores {
  double flesch_reading_ease = 0;
  double flesch_kincaid_grade = 0;
  double gunning_fog = 0;
  double smog = 0;
  double coleman_liau = 0;
  double automated_readability_index = 0;
  double reading_time_seconds = 0; ///< at `words_per_minute`
};

/// Average silent reading speed of adults for English non-fiction
/// (Brysbaert, 2019: 238 words per minute).
inline constexpr double words_per_minute = 238.0;

/// Syllables of one lower-case word: vowel groups (a e i o u y and accented
/// Latin vowels), less a silent final "e" and the "-es"/"-ed" endings that
/// add none; at least 1.
[[nodiscard]] std::size_t count_syllables(std::string_view lower_word) noexcept;

/// Counts over a scanned text.
[[nodiscard]] readability_counts count_readability(const internal::text_scan& scan);

/// The formulas, from counts:
///   Flesch reading ease   206.835 - 1.015 W/S - 84.6 Y/W
///   Flesch-Kincaid grade  0.39 W/S + 11.8 Y/W - 15.59
///   Gunning fog           0.4 (W/S + 100 C/W)
///   SMOG                  1.0430 sqrt(C * 30 / S) + 3.1291
///   Coleman-Liau          0.0588 L - 0.296 S100 - 15.8  (L letters, S100
///                         sentences, both per 100 words)
///   ARI                   4.71 L/W + 0.5 W/S - 21.43
/// with S sentences, W words, Y syllables, C complex words, L characters.
[[nodiscard]] readability_scores readability_from(const readability_counts& c) noexcept;

} // namespace nzl::plugins::text_analysis
