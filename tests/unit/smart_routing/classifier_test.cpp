#include "plugins/smart_routing/classifier.hpp"

#include <gtest/gtest.h>

#include <string>

namespace nzl::plugins::smart_routing {
namespace {

using nlohmann::json;

// "\x89PNG\r\n\x1a\n" + 4 zero bytes, base64.
const std::string png_base64 = "iVBORw0KGgoAAAAA";
const std::string jpeg_base64 = "/9j/4AAQSkZJRgABAQ";

class SmartRoutingClassifierTest : public ::testing::Test {
protected:
  routing_decision decide(const json& payload, routing_stats stats = {}) const {
    return classifier_.decide(classifier_.choose(payload), stats);
  }

  classifier classifier_;
};

TEST_F(SmartRoutingClassifierTest, EndpointsGoToApiTester) {
  json payload = {{"endpoints", {{{"url", "https://example.com/"}}}}};
  auto c = classifier_.choose(payload);
  EXPECT_EQ(c.handler, "api-tester");
  EXPECT_EQ(c.shape.units, 1u);
  EXPECT_EQ(c.shape.waves, 1u);
  ASSERT_FALSE(c.reasons.empty());
  EXPECT_NE(c.reasons.front().find("endpoints"), std::string::npos);
}

TEST_F(SmartRoutingClassifierTest, EmptyEndpointsAreNotApiTester) {
  EXPECT_EQ(classifier_.choose(json{{"endpoints", json::array()}}).handler, "echo");
  EXPECT_EQ(classifier_.choose(json{{"endpoints", "x"}}).handler, "echo");
}

TEST_F(SmartRoutingClassifierTest, SchemaWithDataGoesToJsonValidator) {
  EXPECT_EQ(classifier_.choose(json{{"schema", {{"type", "integer"}}}, {"data", 3}}).handler,
            "json-validator");
  EXPECT_EQ(classifier_.choose(json{{"schema", true}, {"data", nullptr}}).handler,
            "json-validator");
  // A schema alone, or a schema that is not one, is not enough.
  EXPECT_EQ(classifier_.choose(json{{"schema", {{"type", "integer"}}}}).handler, "echo");
  EXPECT_EQ(classifier_.choose(json{{"schema", "int"}, {"data", 3}}).handler, "echo");
}

TEST_F(SmartRoutingClassifierTest, ImageBytesGoToImageMetadata) {
  auto c = classifier_.choose(json{{"image", png_base64}});
  EXPECT_EQ(c.handler, "image-metadata");
  EXPECT_NE(c.reasons.front().find("PNG"), std::string::npos);
  c = classifier_.choose(json{{"image_base64", "data:image/jpeg;base64," + jpeg_base64}});
  EXPECT_EQ(c.handler, "image-metadata");
  EXPECT_NE(c.reasons.front().find("JPEG"), std::string::npos);
  // Image bytes under `data` are recognised by their signature only.
  EXPECT_EQ(classifier_.choose(json{{"data", jpeg_base64}}).handler, "image-metadata");
  EXPECT_EQ(classifier_.choose(json{{"data", "hello world"}}).handler, "echo");
}

TEST_F(SmartRoutingClassifierTest, TextGoesToTextAnalysis) {
  auto c = classifier_.choose(json{{"text", "The quick brown fox."}});
  EXPECT_EQ(c.handler, "text-analysis");
  EXPECT_EQ(c.shape.units, 20u);
  EXPECT_EQ(classifier_.choose(json{{"text", ""}}).handler, "echo");
  EXPECT_EQ(classifier_.choose(json{{"text", 42}}).handler, "echo");
}

TEST_F(SmartRoutingClassifierTest, PrecedenceIsEndpointsSchemaImageText) {
  json all = {{"endpoints", {{{"url", "http://a/"}}}},
              {"schema", json::object()},
              {"data", 1},
              {"image", png_base64},
              {"text", "t"}};
  EXPECT_EQ(classifier_.choose(all).handler, "api-tester");
  all.erase("endpoints");
  EXPECT_EQ(classifier_.choose(all).handler, "json-validator");
  all.erase("schema");
  EXPECT_EQ(classifier_.choose(all).handler, "image-metadata");
  all.erase("image");
  EXPECT_EQ(classifier_.choose(all).handler, "text-analysis");
}

TEST_F(SmartRoutingClassifierTest, AnythingElseIsEcho) {
  for (const auto& p : {json{}, json(3), json("text"), json::array({1, 2}), json{{"x", 1}}})
    EXPECT_EQ(classifier_.choose(p).handler, "echo") << p.dump();
}

TEST_F(SmartRoutingClassifierTest, UnavailableHandlerFallsBackToEcho) {
  routing_stats missing;
  missing.available = false;
  auto d = decide(json{{"text", "hi"}}, missing);
  EXPECT_EQ(d.handler, "echo");
  bool said = false;
  for (const auto& r : d.reasons)
    said = said || r.find("text-analysis is not available") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST_F(SmartRoutingClassifierTest, SmallPayloadIsSimpleHighPrioritySync) {
  auto d = decide(json{{"x", 1}});
  EXPECT_EQ(d.handler, "echo");
  EXPECT_LT(d.complexity, 0.1);
  EXPECT_EQ(d.priority, "high");
  EXPECT_FALSE(d.async);
}

TEST_F(SmartRoutingClassifierTest, ComplexityGrowsWithSize) {
  auto small = decide(json{{"text", std::string(100, 'a')}});
  auto large = decide(json{{"text", std::string(4 << 20, 'a')}});
  EXPECT_LT(small.complexity, large.complexity);
  EXPECT_GE(large.complexity, 0.0);
  EXPECT_LE(large.complexity, 1.0);
}

TEST_F(SmartRoutingClassifierTest, ComplexityGrowsWithShape) {
  json flat = {{"a", 1}};
  json deep = 1;
  for (int i = 0; i < 30; ++i)
    deep = json::array({deep});
  EXPECT_LT(decide(flat).complexity, decide(json{{"a", deep}}).complexity);
}

TEST_F(SmartRoutingClassifierTest, RecentLatencyRaisesComplexityAndCanForceAsync) {
  json payload = {{"text", "hello"}};
  routing_stats fast;
  fast.p95_ms = 2.0;
  routing_stats slow;
  slow.p95_ms = 45'000.0;
  auto a = decide(payload, fast);
  auto b = decide(payload, slow);
  EXPECT_LT(a.complexity, b.complexity);
  EXPECT_FALSE(a.async);
  EXPECT_TRUE(b.async);
  EXPECT_DOUBLE_EQ(b.expected_ms, 45'000.0);
}

TEST_F(SmartRoutingClassifierTest, LatencyBelowTheEstimateDoesNotLowerIt) {
  json payload = {{"text", std::string(1 << 20, 'a')}};
  routing_stats tiny;
  tiny.p95_ms = 0.001;
  auto d = decide(payload, tiny);
  EXPECT_DOUBLE_EQ(d.expected_ms,
                   classifier::estimate_ms("text-analysis", classifier_.choose(payload).shape));
}

TEST_F(SmartRoutingClassifierTest, ModeFollowsTheSyncBudget) {
  classifier_options opts;
  opts.sync_budget_ms = 10;
  classifier tight{opts};
  routing_stats stats;
  stats.p95_ms = 20;
  EXPECT_TRUE(tight.decide(tight.choose(json{{"text", "x"}}), stats).async);
  stats.p95_ms = 5;
  EXPECT_FALSE(tight.decide(tight.choose(json{{"text", "x"}}), stats).async);
}

TEST_F(SmartRoutingClassifierTest, ApiTesterExpectedTimeCountsRoundsOfChecks) {
  json endpoints = json::array();
  for (int i = 0; i < 40; ++i)
    endpoints.push_back({{"url", "https://example.com/" + std::to_string(i)}});
  auto serial = classifier_.choose(json{{"endpoints", endpoints}, {"concurrency", 1}});
  auto parallel = classifier_.choose(json{{"endpoints", endpoints}, {"concurrency", 8}});
  EXPECT_EQ(serial.shape.waves, 40u);
  EXPECT_EQ(parallel.shape.waves, 5u);
  EXPECT_GT(classifier::estimate_ms("api-tester", serial.shape),
            classifier::estimate_ms("api-tester", parallel.shape));
  // Concurrency is clamped to the api-tester's own limit (16).
  auto clamped = classifier_.choose(json{{"endpoints", endpoints}, {"concurrency", 1000}});
  EXPECT_EQ(clamped.shape.waves, 3u);
}

TEST_F(SmartRoutingClassifierTest, PriorityBands) {
  EXPECT_EQ(classifier::priority_for(0.0), "high");
  EXPECT_EQ(classifier::priority_for(0.349), "high");
  EXPECT_EQ(classifier::priority_for(0.35), "normal");
  EXPECT_EQ(classifier::priority_for(0.699), "normal");
  EXPECT_EQ(classifier::priority_for(0.7), "low");
  EXPECT_EQ(classifier::priority_for(1.0), "low");
}

TEST_F(SmartRoutingClassifierTest, HugePayloadIsSampledNotWalked) {
  json big = json::array();
  for (int i = 0; i < 100'000; ++i)
    big.push_back({{"k", i}});
  auto c = classifier_.choose(json{{"items", big}});
  EXPECT_FALSE(c.shape.exact);
  // Every element of the top array is counted though not visited.
  EXPECT_GE(c.shape.values, 100'000u);
  EXPECT_GT(c.shape.bytes, 100'000u);
  EXPECT_NE(c.reasons.back().find("sampled"), std::string::npos);
}

TEST_F(SmartRoutingClassifierTest, SmallPayloadIsMeasuredExactly) {
  auto c = classifier_.choose(json{{"a", {1, 2, 3}}, {"b", "xyz"}});
  EXPECT_TRUE(c.shape.exact);
  EXPECT_EQ(c.shape.values, 6u); // root, a, 1, 2, 3, b
  EXPECT_EQ(c.shape.depth, 3u);
}

TEST_F(SmartRoutingClassifierTest, DecisionJsonHasEveryField) {
  auto j = to_json(decide(json{{"text", "hi"}}), "eu-west");
  for (const char* key :
       {"handler", "complexity", "priority", "mode", "region", "reasons", "expected_ms"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["region"], "eu-west");
  EXPECT_EQ(j["mode"], "sync");
  EXPECT_TRUE(j["reasons"].is_array());
}

} // namespace
} // namespace nzl::plugins::smart_routing
