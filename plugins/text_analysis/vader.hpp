#pragma once

#include <string_view>

namespace nzl::plugins::text_analysis {

/// VADER scores of one text, rounded as the reference rounds them (compound to
/// 4 decimals, the proportions to 3).
struct vader_scores {
  double neg = 0;
  double neu = 0;
  double pos = 0;
  double compound = 0;
};

/// Scores `text` (well-formed UTF-8) with VADER (Hutto & Gilbert, 2014)
/// exactly as the npm package vader-sentiment 1.1.3 does, quirks included:
/// words split on JavaScript whitespace, single-character tokens dropped,
/// case-sensitive negation words, "but"/"BUT" only, punctuation emphasis
/// counted over the whole text, emoji not in the lexicon (score 0). The whole
/// text is one unit; split documents into sentences first. Thread-safe.
[[nodiscard]] vader_scores vader_polarity(std::string_view text);

/// "positive" (compound >= 0.05), "negative" (<= -0.05) or "neutral", the
/// thresholds the VADER authors recommend.
[[nodiscard]] std::string_view vader_label(double compound) noexcept;

} // namespace nzl::plugins::text_analysis
