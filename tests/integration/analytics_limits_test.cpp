// Issue 11: rate-limit refusals are measured end to end: a key over its tier
// is counted in /metrics (nzl_rate_limited_total), named in the report's top
// keys and in a recommendation ("key k_… hits its rate limit N% of the time").
#include "tests/support/http_client.hpp"
#include "tests/support/node_process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace nzl::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

TEST(AnalyticsRateLimitTest, RefusalsReachMetricsTopKeysAndRecommendations) {
  node_options options;
  // The admin key keeps a tier that never refuses; the test key gets 2 an hour.
  options.manifest_sections = {{"security",
                                {{"rate_limit_tiers",
                                  {{"default", {{"quota", 1000000}, {"window_s", 1}}},
                                   {"tiny", {{"quota", 2}, {"window_s", 3600}}}}}}}};
  node_process node{options};
  ASSERT_TRUE(node.start());
  http_client admin{node.port()};
  auto created = admin.post("/v3/admin/keys", R"({"name":"limited","tier":"tiny"})");
  ASSERT_TRUE(created) << admin.error();
  ASSERT_EQ(created->status, 201u) << created->body;
  const auto key = created->json().value("key", "");
  const auto key_id = created->json().value("id", "");
  ASSERT_FALSE(key.empty());

  http_client limited{node.port()};
  limited.set_api_key(key);
  int refused = 0;
  // 24 requests: a key needs 20 samples before it is judged.
  for (int i = 0; i < 24; ++i) {
    auto r = limited.post("/v3/tasks", R"({"type":"echo","payload":{}})");
    ASSERT_TRUE(r) << limited.error();
    refused += r->status == 429 ? 1 : 0;
  }
  ASSERT_EQ(refused, 22);

  // Queries drain the recorder first: every refusal above is in the answer.
  auto metrics = admin.request("GET", "/metrics");
  ASSERT_TRUE(metrics);
  ASSERT_EQ(metrics->status, 200u);
  EXPECT_THAT(metrics->body, HasSubstr("nzl_rate_limited_total{kind=\"http\"} 22\n"));

  auto report = admin.request("GET", "/v3/analytics/report?format=json&window=5m");
  ASSERT_TRUE(report);
  ASSERT_EQ(report->status, 200u) << report->body;
  const auto doc = report->json();
  bool in_top_keys = false;
  for (const auto& k : doc["patterns"]["top_keys"])
    in_top_keys = in_top_keys || k.value("key", "") == key_id;
  EXPECT_TRUE(in_top_keys) << doc["patterns"].dump();
  bool recommended = false;
  for (const auto& line : doc["recommendations"])
    recommended = recommended ||
                  (line.is_string() && line.get<std::string>().find("key " + key_id +
                                                                    " hits its rate "
                                                                    "limit") != std::string::npos);
  EXPECT_TRUE(recommended) << doc["recommendations"].dump();
}

} // namespace
} // namespace nzl::test
