#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nzl::plugins::text_analysis {

/// One language CLD2 found in a text.
struct language_guess {
  std::string code; ///< ISO 639-1 where one exists ("en"), else CLD2's code ("haw", "zh-Hant")
  std::string name; ///< "English"
  int percent = 0;  ///< share of the text's letters, 0..100
};

struct language_result {
  language_guess top;                    ///< code "un" when nothing was recognised
  bool reliable = false;                 ///< CLD2's own verdict
  double confidence = 0;                 ///< top.percent / 100, halved when not reliable
  std::vector<language_guess> languages; ///< up to 3 with percent > 0, largest first
};

/// Detects the languages of well-formed UTF-8 `text` with CLD2 (Debian's
/// libcld2, plain-text mode, no hints). Thread-safe (CLD2 keeps no state
/// between calls).
[[nodiscard]] language_result detect_language(std::string_view text);

} // namespace nzl::plugins::text_analysis
