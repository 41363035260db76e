#include "plugins/text_analysis/internal/text_scan.hpp"
#include "plugins/text_analysis/keywords.hpp"
#include "plugins/text_analysis/statistics.hpp"

#include <gtest/gtest.h>

namespace nzl::plugins::text_analysis {
namespace {

// The abstract example of Rose et al. (2010), shortened.
constexpr const char* rake_text =
    "Compatibility of systems of linear constraints over the set of natural numbers. Criteria "
    "of compatibility of a system of linear Diophantine equations, strict inequations, and "
    "nonstrict inequations are considered.";

TEST(TextAnalysisKeywordsTest, RakeRanksLongContentPhrasesFirst) {
  const auto scan = internal::scan_text(rake_text);
  const auto k = extract_keywords(scan, "en", 5);
  ASSERT_EQ(k.phrases.size(), 5u);
  EXPECT_EQ(k.stop_words, "en");
  EXPECT_EQ(k.phrases[0].phrase, "linear diophantine equations");
  // linear: freq 2, degree 2 + 3 = 5 -> 2.5; diophantine 3/1; equations 3/1.
  EXPECT_DOUBLE_EQ(k.phrases[0].score, 8.5);
  // linear 2.5 + constraints 2/1.
  EXPECT_EQ(k.phrases[1].phrase, "linear constraints");
  EXPECT_DOUBLE_EQ(k.phrases[1].score, 4.5);
  bool found = false;
  for (const auto& p : k.phrases)
    found = found || p.phrase == "nonstrict inequations";
  EXPECT_TRUE(found);
}

TEST(TextAnalysisKeywordsTest, TermsAreFrequentContentWords) {
  const auto scan = internal::scan_text(rake_text);
  const auto k = extract_keywords(scan, "en", 3);
  ASSERT_EQ(k.terms.size(), 3u);
  EXPECT_EQ(k.terms[0].term, "compatibility");
  EXPECT_EQ(k.terms[0].count, 2u);
}

TEST(TextAnalysisKeywordsTest, UnknownLanguageFallsBackToEnglishStopWords) {
  const auto scan = internal::scan_text("the quick brown fox");
  const auto k = extract_keywords(scan, "xx", 10);
  EXPECT_EQ(k.stop_words, "en");
  ASSERT_EQ(k.phrases.size(), 1u);
  EXPECT_EQ(k.phrases[0].phrase, "quick brown fox");
}

TEST(TextAnalysisKeywordsTest, GermanStopWordsAndUnicodeLowerCase) {
  const auto scan = internal::scan_text("Die Größe der Übung ist wichtig.");
  const auto k = extract_keywords(scan, "de", 10);
  EXPECT_EQ(k.stop_words, "de");
  std::vector<std::string> phrases;
  for (const auto& p : k.phrases)
    phrases.push_back(p.phrase);
  EXPECT_NE(std::find(phrases.begin(), phrases.end(), "größe"), phrases.end());
  EXPECT_NE(std::find(phrases.begin(), phrases.end(), "übung"), phrases.end());
}

TEST(TextAnalysisStatisticsTest, CountsCharactersWordsSentencesParagraphs) {
  const std::string text = "Hello, world! Hello again.\n\nÇa va? Oui.";
  const auto s = compute_statistics(text, internal::scan_text(text));
  EXPECT_EQ(s.bytes, text.size());
  EXPECT_EQ(s.characters, 39u);
  EXPECT_EQ(s.characters_excluding_spaces, 32u);
  EXPECT_EQ(s.words, 7u);
  EXPECT_EQ(s.unique_words, 6u);
  EXPECT_EQ(s.sentences, 4u);
  EXPECT_EQ(s.paragraphs, 2u);
  EXPECT_DOUBLE_EQ(s.average_sentence_length, 7.0 / 4.0);
}

TEST(TextAnalysisStatisticsTest, ContractionsAndHyphenatedWordsAreOneWord) {
  const std::string text = "I don't like state-of-the-art gadgets.";
  const auto scan = internal::scan_text(text);
  ASSERT_EQ(scan.words.size(), 5u);
  EXPECT_EQ(scan.words[1].text, "don't");
  EXPECT_EQ(scan.words[3].text, "state-of-the-art");
}

} // namespace
} // namespace nzl::plugins::text_analysis
