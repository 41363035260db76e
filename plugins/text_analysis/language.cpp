#include "plugins/text_analysis/language.hpp"

#include <algorithm>
#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>
#include <climits>

namespace nzl::plugins::text_analysis {

namespace {

// CLD2 names languages in capitals ("ENGLISH", "SCOTS_GAELIC"); we answer
// "English", "Scots gaelic".
std::string display_name(const char* cld_name) {
  std::string out = cld_name ? cld_name : "Unknown";
  bool first = true;
  for (char& c : out) {
    if (c == '_') {
      c = ' ';
    } else if (c >= 'A' && c <= 'Z' && !first) {
      c = static_cast<char>(c + 32);
    }
    first = false;
  }
  return out;
}

language_guess guess(CLD2::Language lang, int percent) {
  return {CLD2::LanguageCode(lang), display_name(CLD2::LanguageName(lang)), percent};
}

} // namespace

language_result detect_language(std::string_view text) {
  CLD2::Language language3[3] = {CLD2::UNKNOWN_LANGUAGE, CLD2::UNKNOWN_LANGUAGE,
                                 CLD2::UNKNOWN_LANGUAGE};
  int percent3[3] = {0, 0, 0};
  double normalized_score3[3] = {0, 0, 0};
  int text_bytes = 0;
  bool reliable = false;
  const CLD2::CLDHints hints = {nullptr, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
  const int length = static_cast<int>(std::min<std::size_t>(text.size(), INT_MAX));
  const auto top =
      CLD2::ExtDetectLanguageSummary(text.data(), length, true, &hints, 0, language3, percent3,
                                     normalized_score3, nullptr, &text_bytes, &reliable);
  language_result out;
  out.reliable = reliable && top != CLD2::UNKNOWN_LANGUAGE;
  for (int k = 0; k < 3; ++k)
    if (language3[k] != CLD2::UNKNOWN_LANGUAGE && percent3[k] > 0)
      out.languages.push_back(guess(language3[k], percent3[k]));
  if (top != CLD2::UNKNOWN_LANGUAGE) {
    out.top = guess(top, 0);
    for (const auto& g : out.languages)
      if (g.code == out.top.code)
        out.top.percent = g.percent;
  } else {
    out.top = {"un", "Unknown", 0};
  }
  out.confidence = out.top.percent / 100.0 * (out.reliable ? 1.0 : 0.5);
  return out;
}

} // namespace nzl::plugins::text_analysis
