#include "plugins/text_analysis/vader.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <string>

namespace nzl::plugins::text_analysis {
namespace {

// Every sentence of the corpus, scored by the npm package vader-sentiment
// (tools/text_analysis/generate-expected), must get the same compound within
// 0.01; the proportions must match too.
TEST(TextAnalysisVaderTest, MatchesTheReferenceOnTheCorpus) {
  std::ifstream in(NZL_TEXT_ANALYSIS_DATA_DIR "/vader_expected.jsonl");
  ASSERT_TRUE(in) << "missing vader_expected.jsonl";
  std::string line;
  int sentences = 0;
  int exact = 0;
  double worst = 0;
  while (std::getline(in, line)) {
    if (line.empty())
      continue;
    const auto expected = nlohmann::json::parse(line);
    const auto text = expected.at("text").get<std::string>();
    const auto got = vader_polarity(text);
    const double diff = std::fabs(got.compound - expected.at("compound").get<double>());
    worst = std::max(worst, diff);
    EXPECT_LE(diff, 0.01) << text << ": compound " << got.compound << " vs "
                          << expected.at("compound");
    EXPECT_NEAR(got.pos, expected.at("pos").get<double>(), 0.0015) << text;
    EXPECT_NEAR(got.neu, expected.at("neu").get<double>(), 0.0015) << text;
    EXPECT_NEAR(got.neg, expected.at("neg").get<double>(), 0.0015) << text;
    exact += diff < 1e-9 ? 1 : 0;
    ++sentences;
  }
  EXPECT_GE(sentences, 200);
  RecordProperty("sentences", sentences);
  RecordProperty("exact", exact);
  std::printf("vader corpus: %d sentences, %d exact, worst compound difference %.6f\n", sentences,
              exact, worst);
}

TEST(TextAnalysisVaderTest, EmptyAndPunctuationOnlyTextsAreNeutralZero) {
  for (const char* text : {"", "   ", "!", "a b c", "?? !!"}) {
    const auto s = vader_polarity(text);
    EXPECT_EQ(s.compound, 0) << text;
  }
}

TEST(TextAnalysisVaderTest, LabelsUseTheAuthorsThresholds) {
  EXPECT_EQ(vader_label(0.05), "positive");
  EXPECT_EQ(vader_label(0.0499), "neutral");
  EXPECT_EQ(vader_label(-0.05), "negative");
}

TEST(TextAnalysisVaderTest, NegationFlipsAndButShiftsWeight) {
  EXPECT_GT(vader_polarity("The food was good.").compound, 0);
  EXPECT_LT(vader_polarity("The food was not good.").compound, 0);
  EXPECT_LT(vader_polarity("The food was good, but the service was horrible.").compound, 0);
}

} // namespace
} // namespace nzl::plugins::text_analysis
