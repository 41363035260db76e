#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::plugins::text_analysis::internal {

/// One word of a scanned text: a run of letters and digits, with inner
/// apostrophes and hyphens kept ("don't", "state-of-the-art").
struct scanned_word {
  std::string_view text;   ///< as written, a view into the scanned text
  std::string lower;       ///< lower-cased (see utf8.hpp `to_lower`)
  std::size_t letters = 0; ///< letters and digits, in code points
  bool has_letter = false; ///< false for numbers such as "2024"
  /// True when punctuation, a sentence end or a paragraph break separates
  /// this word from the previous one (RAKE phrase boundary).
  bool break_before = false;
};

/// What one pass over a text finds; views point into the scanned text, which
/// must outlive the scan.
struct text_scan {
  std::vector<scanned_word> words;
  std::vector<std::string_view> sentences; ///< trimmed, non-empty, in order
  std::size_t paragraphs = 0;              ///< blocks separated by blank lines
  std::size_t code_points = 0;
  std::size_t non_space_code_points = 0;
};

/// Scans well-formed UTF-8. Sentences end at '.', '!', '?' (and their CJK and
/// Arabic forms) followed by a space or the end, except after common
/// abbreviations ("Mr.", "e.g.") and single-letter initials, and at paragraph
/// breaks; an ellipsis ("...", "…") does not end a sentence.
[[nodiscard]] text_scan scan_text(std::string_view text);

} // namespace nzl::plugins::text_analysis::internal
