#include "analytics/aggregator.hpp"
#include "core/error.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <random>

namespace nzl::analytics {
namespace {

constexpr std::int64_t t0 = 1'700'000'100'000;

class AnalyticsAggregatorTest : public ::testing::Test {
protected:
  sample make(std::string_view type, std::string_view region, std::uint32_t latency_us,
              std::uint16_t status = 200, std::string_view key = {}) {
    return sample{.at_ms = 0,
                  .latency_us = latency_us,
                  .request_bytes = 100,
                  .response_bytes = 200,
                  .status = status,
                  .type_id = types.intern(type),
                  .region_id = regions.intern(region),
                  .key_id = key.empty() ? std::uint16_t{0} : keys.intern(key)};
  }
  name_table types{64}, regions{16}, keys{64};
};

TEST_F(AnalyticsAggregatorTest, GroupsCountsErrorsAndPercentiles) {
  aggregator agg{types, regions, keys};
  for (std::uint32_t i = 1; i <= 100; ++i)
    agg.add(make("echo", "eu-west", i * 1000), t0);
  for (int i = 0; i < 10; ++i)
    agg.add(make("echo", "eu-west", 500, 503), t0);
  agg.add(make("echo", "us-east", 2000, 404), t0);
  const auto j = agg.query(300'000, group_type | group_region, t0);
  EXPECT_EQ(j["window"], "5m");
  EXPECT_EQ(j["scope"], "node");
  ASSERT_EQ(j["groups"].size(), 2u);
  const auto& eu = j["groups"][0];
  EXPECT_EQ(eu["type"], "echo");
  EXPECT_EQ(eu["region"], "eu-west");
  EXPECT_EQ(eu["count"], 110);
  EXPECT_EQ(eu["errors"], 10);
  EXPECT_NEAR(eu["error_rate"].get<double>(), 10.0 / 110.0, 1e-12);
  // Nearest rank over 110 samples: p50 is rank 55, the 45th of 1..100 ms.
  EXPECT_NEAR(eu["p50_ms"].get<double>(), 45.0, 45.0 * max_relative_error);
  EXPECT_NEAR(eu["p99_ms"].get<double>(), 99.0, 99.0 * max_relative_error);
  const auto& us = j["groups"][1];
  EXPECT_EQ(us["client_errors"], 1);
  EXPECT_EQ(us["errors"], 0);
  const auto total = agg.query(300'000, group_none, t0);
  ASSERT_EQ(total["groups"].size(), 1u);
  EXPECT_EQ(total["groups"][0]["count"], 111);
}

TEST_F(AnalyticsAggregatorTest, ClusterMergeEqualsOneNodeSeeingEverything) {
  name_table types2{64}, regions2{16}, keys2{64};
  aggregator a{types, regions, keys}, b{types2, regions2, keys2}, all{types, regions, keys};
  std::mt19937 rng{5};
  std::lognormal_distribution<double> lat{8.0, 1.0};
  for (int i = 0; i < 5'000; ++i) {
    const auto s = make(i % 3 == 0 ? "echo" : "json-validator", i % 2 ? "eu-west" : "us-east",
                        static_cast<std::uint32_t>(lat(rng)), i % 50 == 0 ? 500 : 200);
    all.add(s, t0);
    if (i % 4 == 0) {
      a.add(s, t0);
    } else {
      // The other node interned the same names under other ids.
      auto s2 = s;
      s2.type_id = types2.intern(types.name(s.type_id));
      s2.region_id = regions2.intern(regions.name(s.region_id));
      b.add(s2, t0);
    }
  }
  auto mine = a.snapshot(300'000, t0);
  auto theirs = import_json(nlohmann::json::parse(b.export_series(300'000, t0).dump()));
  ASSERT_TRUE(theirs) << theirs.err().detail;
  mine.insert(mine.end(), theirs->begin(), theirs->end());
  const auto merged =
      query_json(summarize(mine, group_type | group_region), 300'000, "cluster", t0);
  auto expected = all.query(300'000, group_type | group_region, t0);
  expected["scope"] = "cluster";
  EXPECT_EQ(merged, expected);
}

TEST_F(AnalyticsAggregatorTest, ImportRefusesBadExports) {
  EXPECT_FALSE(import_json(nlohmann::json::object()));
  EXPECT_FALSE(import_json({{"v", 2}, {"series", nlohmann::json::array()}}));
  auto bad =
      nlohmann::json{{"v", 1}, {"series", {{{"type", ""}, {"region", "r"}, {"class", "ok"}}}}};
  EXPECT_FALSE(import_json(bad));
  EXPECT_TRUE(import_json({{"v", 1}, {"series", nlohmann::json::array()}}));
}

TEST_F(AnalyticsAggregatorTest, DrainsTheRecorder) {
  recorder rec;
  aggregator agg{types, regions, keys};
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(rec.record(make("echo", "eu-west", 100, 200, "k_1")));
  EXPECT_EQ(agg.drain(rec, t0), 50u);
  EXPECT_EQ(agg.samples(), 50u);
  const auto k = agg.keys(60'000, t0);
  ASSERT_EQ(k.size(), 1u);
  EXPECT_EQ(k[0].key, "k_1");
  EXPECT_EQ(k[0].use.count, 50u);
  EXPECT_EQ(k[0].use.bytes_in, 5'000u);
}

TEST_F(AnalyticsAggregatorTest, ClustersErrorsByCode) {
  aggregator agg{types, regions, keys};
  auto s = make("json-validator", "eu-west", 100, 422);
  s.error_code = static_cast<std::uint8_t>(1 + static_cast<int>(errc::task_failed));
  for (int i = 0; i < 3; ++i)
    agg.add(s, t0);
  agg.add(make("echo", "eu-west", 100, 503), t0);
  const auto e = agg.errors(300'000, t0);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].code, "task_failed");
  EXPECT_EQ(e[0].type, "json-validator");
  EXPECT_EQ(e[0].count, 3u);
  EXPECT_EQ(e[1].code, "http_503");
}

TEST_F(AnalyticsAggregatorTest, CapsSeriesIntoOther) {
  aggregator agg{types, regions, keys, {.max_series = 2, .max_keys = 10, .max_error_clusters = 4}};
  agg.add(make("a", "r", 10), t0);
  agg.add(make("b", "r", 10), t0);
  agg.add(make("c", "r", 10), t0);
  EXPECT_EQ(agg.series_count(), 3u); // a, b and "other"
  EXPECT_EQ(agg.overflow(), 1u);
  const auto j = agg.query(60'000, group_type, t0);
  ASSERT_EQ(j["groups"].size(), 3u);
  EXPECT_EQ(j["groups"][2]["type"], "other");
}

TEST_F(AnalyticsAggregatorTest, TimelineHasOnePointPerSlotWithGaps) {
  aggregator agg{types, regions, keys};
  const std::int64_t base = (t0 / 60'000) * 60'000;
  agg.add(make("echo", "eu-west", 1000), base);
  agg.add(make("echo", "eu-west", 1000), base + 120'000);
  const auto tl = agg.timeline("echo", "", 300'000, base + 120'000, 1);
  ASSERT_EQ(tl.size(), 5u);
  EXPECT_EQ(tl[2].use.count, 1u);
  EXPECT_EQ(tl[3].use.count, 0u);
  EXPECT_EQ(tl[4].use.count, 1u);
  EXPECT_EQ(tl[4].start_ms, base + 120'000);
  EXPECT_TRUE(agg.timeline("nope", "", 300'000, base, 1)[4].use.count == 0);
}

TEST_F(AnalyticsAggregatorTest, PrunesIdleSeriesAndLifetimeKeepsTotals) {
  aggregator agg{types, regions, keys};
  agg.add(make("echo", "eu-west", 1000, 200, "k"), t0);
  EXPECT_EQ(agg.lifetime().size(), 1u);
  agg.prune(t0 + 3'600'000);
  EXPECT_EQ(agg.series_count(), 1u);
  agg.prune(t0 + 2 * 86'400'000);
  EXPECT_EQ(agg.series_count(), 0u);
  EXPECT_EQ(agg.key_count(), 0u);
}

TEST_F(AnalyticsAggregatorTest, GroupByParses) {
  EXPECT_EQ(*parse_group_by("type,region"), group_type | group_region);
  EXPECT_EQ(*parse_group_by("region"), unsigned{group_region});
  EXPECT_EQ(*parse_group_by(""), unsigned{group_none});
  EXPECT_FALSE(parse_group_by("type,key"));
}

} // namespace
} // namespace nzl::analytics
