#include "plugins/text_analysis/text_analysis_handler.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nzl::plugins::text_analysis {
namespace {

using nlohmann::json;

class recording_context : public handler_context {
public:
  void progress(int percent, std::string_view stage) override {
    percents.push_back(percent);
    stages.emplace_back(stage);
  }
  bool cancelled() const noexcept override { return cancel_now; }
  std::string_view region() const noexcept override { return "r"; }
  std::vector<int> percents;
  std::vector<std::string> stages;
  bool cancel_now = false;
};

const std::string english =
    "The new library opened on Monday and the whole town came to see it. Children loved the "
    "reading room, and the staff were friendly and helpful. Sadly, the parking was terrible.";

TEST(TextAnalysisHandlerTest, AnswersEveryFeatureByDefault) {
  text_analysis_handler h;
  recording_context ctx;
  auto out = h.run({{"text", english}}, ctx);
  ASSERT_TRUE(out) << out.err().detail;
  EXPECT_EQ(h.type(), "text-analysis");
  EXPECT_FALSE(h.runs_inline({{"text", english}}));
  EXPECT_EQ((*out)["features"],
            json({"language", "sentiment", "readability", "keywords", "statistics"}));
  EXPECT_EQ((*out)["language"]["code"], "en");
  EXPECT_EQ((*out)["language"]["name"], "English");
  EXPECT_TRUE((*out)["sentiment"]["supported"].get<bool>());
  EXPECT_EQ((*out)["sentiment"]["sentences"], 3);
  EXPECT_EQ((*out)["sentiment"]["label"], "positive");
  EXPECT_TRUE((*out)["readability"].contains("flesch_reading_ease"));
  EXPECT_EQ((*out)["readability"]["counts"]["sentences"], 3);
  EXPECT_FALSE((*out)["keywords"]["phrases"].empty());
  EXPECT_EQ((*out)["statistics"]["paragraphs"], 1);
  EXPECT_TRUE(ctx.percents.empty()) << "short texts report no progress";
}

TEST(TextAnalysisHandlerTest, SingleSentenceSentimentEqualsVader) {
  text_analysis_handler h;
  recording_context ctx;
  auto out = h.run(
      {{"text", "The food was good, but the service was horrible."}, {"features", {"sentiment"}}},
      ctx);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->size(), 2u);
  EXPECT_DOUBLE_EQ((*out)["sentiment"]["compound"].get<double>(), -0.5859); // vader_expected.jsonl
  EXPECT_EQ((*out)["sentiment"]["label"], "negative");
}

TEST(TextAnalysisHandlerTest, SentimentOfOtherLanguagesIsDeclined) {
  text_analysis_handler h;
  recording_context ctx;
  auto out =
      h.run({{"text", "Le comité se réunira de nouveau la semaine prochaine pour discuter du "
                      "budget de la nouvelle bibliothèque et des réparations de l'ancienne école."},
             {"features", {"sentiment"}}},
            ctx);
  ASSERT_TRUE(out);
  EXPECT_FALSE((*out)["sentiment"]["supported"].get<bool>());
  EXPECT_EQ((*out)["sentiment"]["language"], "fr");
  EXPECT_FALSE(out->contains("language")) << "language was not asked for";
}

TEST(TextAnalysisHandlerTest, InvalidUtf8IsTaskFailedWithTheOffset) {
  text_analysis_handler h;
  recording_context ctx;
  for (const std::string& bad :
       {std::string("abc\xff"), std::string("ab\xc3"), std::string("\xed\xa0\x80"),
        std::string("\xc0\xaf"), std::string("x\xf4\x90\x80\x80")}) {
    json payload = json::object();
    payload["text"] = bad; // set directly: a parser would have refused it already
    auto out = h.run(payload, ctx);
    ASSERT_FALSE(out);
    EXPECT_EQ(out.err().code, errc::task_failed);
    EXPECT_EQ(out.err().extensions["problem"], "invalid-utf8");
    EXPECT_EQ(out.err().extensions["field"], "payload.text");
  }
  json payload = json::object();
  payload["text"] = std::string("abc\xff");
  EXPECT_EQ(h.run(payload, ctx).err().extensions["offset"], 3);
}

TEST(TextAnalysisHandlerTest, TextOverTheLimitIsRefused) {
  text_analysis_handler h(100);
  recording_context ctx;
  auto out = h.run({{"text", std::string(101, 'a')}}, ctx);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.err().code, errc::payload_too_large);
  EXPECT_EQ(out.err().extensions["limit"], 100);
  EXPECT_TRUE(h.run({{"text", std::string(100, 'a')}}, ctx));
  EXPECT_EQ(text_analysis_handler{}.max_text_bytes(), 1u << 20);
}

TEST(TextAnalysisHandlerTest, BadFieldsAreInvalidField) {
  text_analysis_handler h;
  recording_context ctx;
  const json bad[] = {
      json::array(),
      json::object(),
      {{"text", 5}},
      {{"text", "x"}, {"features", "sentiment"}},
      {{"text", "x"}, {"features", json::array()}},
      {{"text", "x"}, {"features", {"sentiment", "mood"}}},
      {{"text", "x"}, {"features", {1}}},
      {{"text", "x"}, {"max_keywords", 0}},
      {{"text", "x"}, {"max_keywords", 51}},
      {{"text", "x"}, {"max_keywords", "3"}},
  };
  for (const auto& payload : bad) {
    auto out = h.run(payload, ctx);
    ASSERT_FALSE(out) << payload;
    EXPECT_EQ(out.err().code, errc::invalid_field) << payload;
    EXPECT_TRUE(out.err().extensions.contains("field")) << payload;
  }
}

TEST(TextAnalysisHandlerTest, EmptyTextAnswersZeros) {
  text_analysis_handler h;
  recording_context ctx;
  auto out = h.run({{"text", ""}}, ctx);
  ASSERT_TRUE(out);
  EXPECT_EQ((*out)["language"]["code"], "un");
  EXPECT_EQ((*out)["sentiment"]["compound"], 0);
  EXPECT_EQ((*out)["statistics"]["words"], 0);
  EXPECT_EQ((*out)["readability"]["flesch_reading_ease"], 0);
}

std::string long_text() {
  std::string text;
  while (text.size() < 40 * 1024)
    text += english + "\n\n";
  return text;
}

TEST(TextAnalysisHandlerTest, LongTextsReportProgressInOrder) {
  text_analysis_handler h;
  recording_context ctx;
  auto out = h.run({{"text", long_text()}}, ctx);
  ASSERT_TRUE(out);
  ASSERT_GE(ctx.percents.size(), 5u);
  EXPECT_TRUE(std::is_sorted(ctx.percents.begin(), ctx.percents.end()));
  EXPECT_EQ(ctx.percents.back(), 100);
  EXPECT_EQ(ctx.stages.front(), "scan");
}

TEST(TextAnalysisHandlerTest, CancelledLongTextStops) {
  text_analysis_handler h;
  recording_context ctx;
  ctx.cancel_now = true;
  auto out = h.run({{"text", long_text()}}, ctx);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.err().code, errc::task_cancelled);
}

} // namespace
} // namespace nzl::plugins::text_analysis
