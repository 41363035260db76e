#include "plugins/text_analysis/readability.hpp"

#include "plugins/text_analysis/internal/text_scan.hpp"

#include <cmath>

namespace nzl::plugins::text_analysis {

namespace {

// A vowel in ASCII or as the UTF-8 lead of an accented Latin vowel (U+00E0..
// U+00FF lower-case block: most are vowels; consonants there are rare).
bool is_vowel(std::string_view w, std::size_t i, std::size_t& len) noexcept {
  const auto c = static_cast<unsigned char>(w[i]);
  len = 1;
  if (c < 0x80)
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
  if (c == 0xC3 && i + 1 < w.size()) {
    len = 2;
    const auto d = static_cast<unsigned char>(w[i + 1]);
    // à..æ, è..ï, ò..ö, ø..ü, ý, ÿ
    return (d >= 0xA0 && d <= 0xA6) || (d >= 0xA8 && d <= 0xAF) || (d >= 0xB2 && d <= 0xB6) ||
           (d >= 0xB8 && d <= 0xBD) || d == 0xBF;
  }
  len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  return false;
}

bool is_ascii_consonant(char c) noexcept {
  return c >= 'a' && c <= 'z' && c != 'a' && c != 'e' && c != 'i' && c != 'o' && c != 'u' &&
         c != 'y';
}

} // namespace

std::size_t count_syllables(std::string_view w) noexcept {
  if (w.ends_with("'s"))
    w.remove_suffix(2);
  std::size_t groups = 0;
  bool in_vowel = false;
  for (std::size_t i = 0; i < w.size();) {
    std::size_t len = 1;
    const bool v = is_vowel(w, i, len);
    if (v && !in_vowel)
      ++groups;
    in_vowel = v;
    i += len;
  }
  const auto n = w.size();
  if (groups > 1 && n >= 3) {
    if (w.back() == 'e' && !(w[n - 2] == 'l' && is_ascii_consonant(w[n - 3])) &&
        is_ascii_consonant(w[n - 2]))
      --groups; // silent e: "make", but not "table"
    else if (w.ends_with("es") && n >= 4 && is_ascii_consonant(w[n - 3]) &&
             !(w[n - 3] == 's' || w[n - 3] == 'x' || w[n - 3] == 'z' || w.ends_with("ches") ||
               w.ends_with("shes") || w.ends_with("ges") || w.ends_with("ces") ||
               (w[n - 3] == 'l' && is_ascii_consonant(w[n - 4]))))
      --groups; // "makes", but not "boxes", "tables"
    else if (w.ends_with("ed") && n >= 4 && is_ascii_consonant(w[n - 3]) && w[n - 3] != 't' &&
             w[n - 3] != 'd')
      --groups; // "jumped", but not "wanted"
  }
  return groups == 0 ? 1 : groups;
}

readability_counts count_readability(const internal::text_scan& scan) {
  readability_counts c;
  c.sentences = scan.sentences.size();
  for (const auto& w : scan.words) {
    if (!w.has_letter)
      continue;
    ++c.words;
    const auto s = count_syllables(w.lower);
    c.syllables += s;
    c.complex_words += s >= 3 ? 1 : 0;
    c.characters += w.letters;
  }
  if (c.words > 0 && c.sentences == 0)
    c.sentences = 1;
  return c;
}

readability_scores readability_from(const readability_counts& c) noexcept {
  readability_scores r;
  if (c.words == 0 || c.sentences == 0)
    return r;
  const double w = static_cast<double>(c.words);
  const double s = static_cast<double>(c.sentences);
  const double y = static_cast<double>(c.syllables);
  const double cw = static_cast<double>(c.complex_words);
  const double l = static_cast<double>(c.characters);
  r.flesch_reading_ease = 206.835 - 1.015 * (w / s) - 84.6 * (y / w);
  r.flesch_kincaid_grade = 0.39 * (w / s) + 11.8 * (y / w) - 15.59;
  r.gunning_fog = 0.4 * ((w / s) + 100.0 * (cw / w));
  r.smog = 1.0430 * std::sqrt(cw * 30.0 / s) + 3.1291;
  r.coleman_liau = 0.0588 * (l / w * 100.0) - 0.296 * (s / w * 100.0) - 15.8;
  r.automated_readability_index = 4.71 * (l / w) + 0.5 * (w / s) - 21.43;
  r.reading_time_seconds = w / words_per_minute * 60.0;
  return r;
}

} // namespace nzl::plugins::text_analysis
