#include "plugins/text_analysis/language.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

namespace nzl::plugins::text_analysis {
namespace {

// One paragraph per language (27 languages, 10 scripts); CLD2 must name each.
TEST(TextAnalysisLanguageTest, DetectsEveryLanguageOfTheMultilingualSet) {
  std::ifstream in(NZL_TEXT_ANALYSIS_DATA_DIR "/languages.tsv");
  ASSERT_TRUE(in);
  std::string line;
  int languages = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    const auto tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    const auto code = line.substr(0, tab);
    const auto text = line.substr(tab + 1);
    const auto r = detect_language(text);
    EXPECT_EQ(r.top.code, code) << text << " -> " << r.top.name;
    EXPECT_GT(r.confidence, 0.5) << code;
    EXPECT_FALSE(r.top.name.empty());
    ++languages;
  }
  EXPECT_GE(languages, 20);
}

TEST(TextAnalysisLanguageTest, NamesAreTitleCase) {
  const auto r = detect_language("This is plainly an English sentence about the weather today.");
  EXPECT_EQ(r.top.code, "en");
  EXPECT_EQ(r.top.name, "English");
}

TEST(TextAnalysisLanguageTest, MixedTextListsBothLanguages) {
  const std::string text =
      "The committee will meet again next week to discuss the budget for the new library and "
      "the repairs to the old school building. Everyone is welcome to attend the meeting. "
      "Le comité se réunira de nouveau la semaine prochaine pour discuter du budget de la "
      "nouvelle bibliothèque et des réparations de l'ancienne école. Tout le monde est invité.";
  const auto r = detect_language(text);
  ASSERT_GE(r.languages.size(), 2u);
  EXPECT_TRUE((r.languages[0].code == "en" && r.languages[1].code == "fr") ||
              (r.languages[0].code == "fr" && r.languages[1].code == "en"));
}

TEST(TextAnalysisLanguageTest, NothingToDetectIsUnknown) {
  const auto r = detect_language("12345 !!! ...");
  EXPECT_EQ(r.top.code, "un");
  EXPECT_FALSE(r.reliable);
}

} // namespace
} // namespace nzl::plugins::text_analysis
