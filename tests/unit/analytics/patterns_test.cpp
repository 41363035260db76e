#include "analytics/patterns.hpp"
#include "core/error.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace nzl::analytics {
namespace {

class AnalyticsPatternsTest : public ::testing::Test {
protected:
  void add(std::int64_t at, std::string_view type, std::string_view region, std::uint32_t lat,
           std::uint16_t status = 200, std::string_view key = "k_1", std::uint8_t flags = 0,
           std::uint8_t error_code = 0, sample_kind kind = sample_kind::task) {
    agg.add(sample{.at_ms = at,
                   .latency_us = lat,
                   .status = status,
                   .type_id = types.intern(type),
                   .region_id = regions.intern(region),
                   .key_id = keys.intern(key),
                   .error_code = error_code,
                   .kind = kind,
                   .flags = flags},
            at);
  }
  name_table types, regions, keys;
  aggregator agg{types, regions, keys};
  // 14:00 UTC on some day.
  const std::int64_t t14 = 1'700'000'000'000 / 86'400'000 * 86'400'000 + 14 * 3'600'000;
};

TEST_F(AnalyticsPatternsTest, TopTypesKeysPeakHoursAndErrorClusters) {
  for (int i = 0; i < 30; ++i)
    add(t14 + i, "json-validator", "eu-west", 1000, 200, "k_a");
  for (int i = 0; i < 10; ++i)
    add(t14 + i, "echo", "eu-west", 1000, 200, "k_b");
  const auto code = static_cast<std::uint8_t>(1 + static_cast<int>(errc::task_timeout));
  for (int i = 0; i < 5; ++i)
    add(t14 + i, "echo", "us-east", 1000, 504, "k_b", 0, code);
  for (int i = 0; i < 3; ++i)
    add(t14 - 5 * 3'600'000 + i, "echo", "eu-west", 1000, 200, "k_b");
  // A key's requests are its HTTP requests (a task is the request again).
  for (int i = 0; i < 20; ++i)
    add(t14 + i, "tasks_run", "eu-west", 1000, 200, "k_a", 0, 0, sample_kind::http);
  for (int i = 0; i < 10; ++i)
    add(t14 + i, "tasks_run", "eu-west", 1000, 200, "k_b", 0, 0, sample_kind::http);
  const auto p = find_patterns(agg, 300'000, t14 + 1'000);
  ASSERT_EQ(p.top_types.size(), 2u);
  EXPECT_EQ(p.top_types[0].name, "json-validator");
  EXPECT_NEAR(p.top_types[0].share, 30.0 / 45.0, 1e-12);
  ASSERT_EQ(p.top_keys.size(), 2u);
  EXPECT_EQ(p.top_keys[0].name, "k_a");
  EXPECT_EQ(p.top_keys[0].count, 20u);
  EXPECT_EQ(p.by_hour[14], 75u); // samples of every kind
  EXPECT_EQ(p.by_hour[9], 3u);
  EXPECT_EQ(p.peak_hours, (std::vector<int>{14, 9}));
  ASSERT_EQ(p.error_clusters.size(), 1u);
  EXPECT_EQ(p.error_clusters[0].code, "task_timeout");
  EXPECT_EQ(p.error_clusters[0].region, "us-east");
  const auto j = to_json(p);
  EXPECT_EQ(j["top_types"][0]["type"], "json-validator");
  EXPECT_EQ(j["peak_hours_utc"][0], 14);
}

TEST_F(AnalyticsPatternsTest, RecommendsLatencyErrorsAndRateLimits) {
  // An hour of json-validator at ~10 ms in eu-west, then 25 ms from 14:00.
  const auto start = t14 - 3'600'000;
  for (int m = 0; m < 65; ++m)
    for (int i = 0; i < 30; ++i)
      add(start + m * 60'000 + i * 1000, "json-validator", "eu-west",
          m >= 60 ? 25'000u : 10'000u + static_cast<std::uint32_t>(i * 10), 200, "k_ok");
  // echo fails 10 % in us-east.
  const auto code = static_cast<std::uint8_t>(1 + static_cast<int>(errc::upstream_failed));
  for (int i = 0; i < 100; ++i)
    add(t14 + 100'000 + i, "echo", "us-east", 1000, i % 10 == 0 ? 502 : 200, "k_ok", 0,
        i % 10 == 0 ? code : 0);
  // k_123 is refused 40 % of the time (its HTTP requests; the 30 admitted
  // ones ran a task each, which does not change the share).
  for (int i = 0; i < 50; ++i)
    add(t14 + 100'000 + i, "tasks_run", "eu-west", 100, i % 5 < 2 ? 429 : 200, "k_123",
        i % 5 < 2 ? std::uint8_t{flag_rate_limited} : std::uint8_t{0}, 0, sample_kind::http);
  for (int i = 0; i < 30; ++i)
    add(t14 + 100'000 + i, "echo", "eu-west", 100, 200, "k_123");
  const auto now = t14 + 4 * 60'000 + 59'000;
  const auto recs = recommend(agg, 300'000, now, {});
  ASSERT_EQ(recs.size(), 3u) << nlohmann::json(recs).dump(1);
  EXPECT_EQ(recs[0], "json-validator p95 doubled in eu-west since 14:00 UTC (10.3 ms -> 25.0 ms)");
  EXPECT_EQ(recs[1], "echo error rate 10.0% in us-east over the last 5m (mostly upstream_failed)");
  EXPECT_EQ(recs[2], "key k_123 hits its rate limit 40% of the time");
}

TEST_F(AnalyticsPatternsTest, RecommendsOnTrafficAnomalies) {
  std::vector<anomaly> a{{"echo/eu", "1m", anomaly_kind::traffic_drop, 3, 120, -50, t14}};
  const auto recs = recommend(agg, 300'000, t14, a);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0], "traffic of echo/eu fell to 3 per 1m (usually 120)");
}

} // namespace
} // namespace nzl::analytics
