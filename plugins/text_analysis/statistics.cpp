#include "plugins/text_analysis/statistics.hpp"

#include "plugins/text_analysis/internal/text_scan.hpp"

#include <unordered_set>

namespace nzl::plugins::text_analysis {

text_statistics compute_statistics(std::string_view text, const internal::text_scan& scan) {
  text_statistics s;
  s.bytes = text.size();
  s.characters = scan.code_points;
  s.characters_excluding_spaces = scan.non_space_code_points;
  s.words = scan.words.size();
  s.sentences = scan.sentences.size();
  s.paragraphs = scan.paragraphs;
  std::unordered_set<std::string_view> unique;
  unique.reserve(scan.words.size());
  std::size_t letters = 0;
  for (const auto& w : scan.words) {
    unique.insert(w.lower);
    letters += w.letters;
  }
  s.unique_words = unique.size();
  if (s.words > 0)
    s.average_word_length = static_cast<double>(letters) / static_cast<double>(s.words);
  if (s.sentences > 0)
    s.average_sentence_length = static_cast<double>(s.words) / static_cast<double>(s.sentences);
  return s;
}

} // namespace nzl::plugins::text_analysis
