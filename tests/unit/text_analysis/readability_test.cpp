#include "plugins/text_analysis/internal/text_scan.hpp"
#include "plugins/text_analysis/readability.hpp"

#include <gtest/gtest.h>

namespace nzl::plugins::text_analysis {
namespace {

// Hand-computed: 2 sentences, 20 words, 30 syllables, 3 complex words,
// 90 characters.
//   FRE  = 206.835 - 1.015 * 10 - 84.6 * 1.5        = 69.785
//   FKGL = 0.39 * 10 + 11.8 * 1.5 - 15.59           = 6.01
//   Fog  = 0.4 * (10 + 100 * 3 / 20)                = 10
//   SMOG = 1.0430 * sqrt(3 * 30 / 2) + 3.1291       = 1.0430 * 6.7082039 + 3.1291 = 10.125757
//   CLI  = 0.0588 * 450 - 0.296 * 10 - 15.8         = 7.7
//   ARI  = 4.71 * 4.5 + 0.5 * 10 - 21.43            = 4.765
//   time = 20 / 238 * 60                            = 5.042017 s
TEST(TextAnalysisReadabilityTest, FormulasMatchHandComputedValues) {
  readability_counts c;
  c.sentences = 2;
  c.words = 20;
  c.syllables = 30;
  c.complex_words = 3;
  c.characters = 90;
  const auto r = readability_from(c);
  EXPECT_NEAR(r.flesch_reading_ease, 69.785, 1e-9);
  EXPECT_NEAR(r.flesch_kincaid_grade, 6.01, 1e-9);
  EXPECT_NEAR(r.gunning_fog, 10.0, 1e-9);
  EXPECT_NEAR(r.smog, 10.125757, 1e-6);
  EXPECT_NEAR(r.coleman_liau, 7.7, 1e-9);
  EXPECT_NEAR(r.automated_readability_index, 4.765, 1e-9);
  EXPECT_NEAR(r.reading_time_seconds, 5.042017, 1e-6);
}

// "The cat sat on the mat. The dog ran." : 2 sentences, 9 one-syllable words,
// 26 letters, no complex words.
//   FRE  = 206.835 - 1.015 * 4.5 - 84.6 * 1               = 117.6675
//   FKGL = 0.39 * 4.5 + 11.8 * 1 - 15.59                  = -2.035
//   ARI  = 4.71 * 26 / 9 + 0.5 * 4.5 - 21.43              = -5.573333
//   CLI  = 0.0588 * 288.8889 - 0.296 * 22.2222 - 15.8     = -5.391111
//   Fog  = 0.4 * (4.5 + 0)                                 = 1.8
//   SMOG = 1.0430 * sqrt(0) + 3.1291                       = 3.1291
TEST(TextAnalysisReadabilityTest, CountsAndScoresOfASimpleText) {
  const auto scan = internal::scan_text("The cat sat on the mat. The dog ran.");
  const auto c = count_readability(scan);
  EXPECT_EQ(c.sentences, 2u);
  EXPECT_EQ(c.words, 9u);
  EXPECT_EQ(c.syllables, 9u);
  EXPECT_EQ(c.complex_words, 0u);
  EXPECT_EQ(c.characters, 26u);
  const auto r = readability_from(c);
  EXPECT_NEAR(r.flesch_reading_ease, 117.6675, 1e-9);
  EXPECT_NEAR(r.flesch_kincaid_grade, -2.035, 1e-9);
  EXPECT_NEAR(r.automated_readability_index, -5.573333, 1e-6);
  EXPECT_NEAR(r.coleman_liau, -5.391111, 1e-6);
  EXPECT_NEAR(r.gunning_fog, 1.8, 1e-9);
  EXPECT_NEAR(r.smog, 3.1291, 1e-9);
}

TEST(TextAnalysisReadabilityTest, SyllableHeuristic) {
  struct {
    const char* word;
    std::size_t syllables;
  } cases[] = {{"the", 1},    {"cat", 1},       {"make", 1},       {"makes", 1},
               {"table", 2},  {"tables", 2},    {"boxes", 2},      {"jumped", 1},
               {"wanted", 2}, {"beautiful", 3}, {"university", 5}, {"readability", 5},
               {"rhythm", 1}, {"newspaper", 3}, {"committee", 3},  {"library", 3},
               {"she's", 1},  {"café", 2},      {"idea", 2},       {"analysis", 4}};
  for (const auto& c : cases)
    EXPECT_EQ(count_syllables(c.word), c.syllables) << c.word;
}

TEST(TextAnalysisReadabilityTest, NoWordsGivesZeros) {
  const auto c = count_readability(internal::scan_text("... !!! 42"));
  EXPECT_EQ(c.words, 0u);
  const auto r = readability_from(c);
  EXPECT_EQ(r.flesch_reading_ease, 0);
  EXPECT_EQ(r.reading_time_seconds, 0);
}

TEST(TextAnalysisReadabilityTest, SentencesSkipAbbreviationsAndEllipses) {
  const auto scan = internal::scan_text(
      "Dr. Smith arrived at 5 p.m. today... He was late! Was he?\n\nA new paragraph");
  ASSERT_EQ(scan.sentences.size(), 3u);
  EXPECT_EQ(scan.sentences[0], "Dr. Smith arrived at 5 p.m. today... He was late!");
  EXPECT_EQ(scan.sentences[1], "Was he?");
  EXPECT_EQ(scan.sentences[2], "A new paragraph");
  EXPECT_EQ(scan.paragraphs, 2u);
}

} // namespace
} // namespace nzl::plugins::text_analysis
