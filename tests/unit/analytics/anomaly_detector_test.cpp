#include "analytics/anomaly_detector.hpp"

#include <gtest/gtest.h>

namespace nzl::analytics {
namespace {

aggregator::point pt(std::int64_t minute, std::uint64_t count, std::uint32_t latency_us,
                     std::uint64_t server_errors = 0) {
  aggregator::point p;
  p.start_ms = minute * 60'000;
  for (std::uint64_t i = 0; i < count; ++i)
    p.hist.record(latency_us + static_cast<std::uint32_t>(i % 7) * 100);
  p.use.count = count;
  p.use.server_errors = server_errors;
  return p;
}

std::vector<aggregator::point> steady(int minutes) {
  std::vector<aggregator::point> v;
  for (int m = 0; m < minutes; ++m)
    v.push_back(pt(m, 100 + static_cast<std::uint64_t>(m % 5), 10'000, m % 3 == 0 ? 1 : 0));
  return v;
}

TEST(AnalyticsAnomalyTest, BaselineIsMedianAndMad) {
  const auto b = baseline_of({1, 2, 3, 4, 100});
  EXPECT_EQ(b.median, 3);
  EXPECT_EQ(b.mad, 1);
  EXPECT_EQ(baseline_of({}).median, 0);
  EXPECT_EQ(baseline_of({1, 3}).median, 2);
}

TEST(AnalyticsAnomalyTest, SteadySeriesHasNoAnomalies) {
  anomaly_detector d;
  EXPECT_TRUE(d.check("echo/eu", steady(30), 60'000).empty());
}

TEST(AnalyticsAnomalyTest, FlagsLatencyJumpWithBaseline) {
  auto s = steady(30);
  s.push_back(pt(30, 100, 40'000));
  const auto found = anomaly_detector{}.check("echo/eu", s, 60'000);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, anomaly_kind::latency);
  EXPECT_EQ(found[0].series, "echo/eu");
  EXPECT_EQ(found[0].window, "1m");
  EXPECT_NEAR(found[0].observed, 40.6, 1.0);
  EXPECT_NEAR(found[0].baseline, 10.6, 1.0);
  EXPECT_EQ(found[0].at_ms, 30 * 60'000);
}

TEST(AnalyticsAnomalyTest, OneOldIncidentDoesNotHideTheNext) {
  auto s = steady(30);
  s[10] = pt(10, 100, 90'000, 50);
  s.push_back(pt(30, 100, 40'000));
  const auto found = anomaly_detector{}.check("x", s, 60'000);
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found[0].kind, anomaly_kind::latency);
}

TEST(AnalyticsAnomalyTest, FlagsErrorRateAndTraffic) {
  auto s = steady(30);
  s.push_back(pt(30, 100, 10'000, 20));
  auto found = anomaly_detector{}.check("x", s, 60'000);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, anomaly_kind::error_rate);
  EXPECT_NEAR(found[0].observed, 0.2, 1e-12);

  s.back() = pt(30, 1000, 10'000);
  found = anomaly_detector{}.check("x", s, 60'000);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, anomaly_kind::traffic_spike);

  s.back() = pt(30, 5, 10'000);
  found = anomaly_detector{}.check("x", s, 60'000);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, anomaly_kind::traffic_drop);
}

TEST(AnalyticsAnomalyTest, NeedsHistoryAndSmallChangesNeverFire) {
  auto s = steady(5);
  s.push_back(pt(5, 100, 90'000));
  EXPECT_TRUE(anomaly_detector{}.check("x", s, 60'000).empty());
  // A flat history (MAD 0) and a 3 % change: floored spread, no alarm.
  std::vector<aggregator::point> flat;
  for (int m = 0; m < 20; ++m)
    flat.push_back(pt(m, 100, 10'000));
  flat.push_back(pt(20, 103, 10'300));
  EXPECT_TRUE(anomaly_detector{}.check("x", flat, 60'000).empty());
}

TEST(AnalyticsAnomalyTest, ScanUsesCompleteMinutesOfTheAggregator) {
  name_table types, regions, keys;
  aggregator agg{types, regions, keys};
  const std::int64_t base = 1'700'000'000'000 / 3'600'000 * 3'600'000;
  for (int m = 0; m < 60; ++m)
    for (int i = 0; i < 100; ++i)
      agg.add(sample{.at_ms = base + m * 60'000 + i,
                     .latency_us = static_cast<std::uint32_t>(m == 59 ? 50'000 : 10'000 + i),
                     .type_id = types.intern("echo"),
                     .region_id = regions.intern("eu"),
                     .kind = sample_kind::task},
              0);
  // Five seconds into minute 60 the last complete minute is minute 59.
  const auto found = anomaly_detector{}.scan(agg, base + 60 * 60'000 + 5'000);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].series, "*/*");
  EXPECT_EQ(found[1].series, "echo/eu");
  EXPECT_EQ(found[1].kind, anomaly_kind::latency);
}

// The issue: each anomaly names the series, the window, the observed value
// and the baseline.
TEST(AnalyticsAnomalyTest, JsonNamesSeriesWindowObservedAndBaseline) {
  const anomaly a{"echo/eu", "1m", anomaly_kind::latency, 25.0, 10.0, 7.5, 1'700'000'040'000};
  const auto j = to_json(a);
  EXPECT_EQ(j["series"], "echo/eu");
  EXPECT_EQ(j["window"], "1m");
  EXPECT_EQ(j["kind"], "latency");
  EXPECT_EQ(j["observed"], 25.0);
  EXPECT_EQ(j["baseline"], 10.0);
  EXPECT_EQ(j["score"], 7.5);
  EXPECT_EQ(j["at"], "2023-11-14T22:14:00.000Z");
}

// Regression: a node's first busy minute was flagged as a traffic spike
// (score ~5e10) because the hour before the node started counted as minutes
// without traffic. Only minutes since the first sample are history.
TEST(AnalyticsAnomalyTest, MinutesBeforeTheFirstSampleAreNoHistory) {
  const std::int64_t base = 1'700'000'000'000 / 3'600'000 * 3'600'000;
  auto busy_minute_59 = [&](aggregator& agg, name_table& types, name_table& regions) {
    for (int i = 0; i < 50; ++i)
      agg.add(sample{.at_ms = base + 59 * 60'000 + i,
                     .latency_us = 1'000,
                     .type_id = types.intern("echo"),
                     .region_id = regions.intern("eu"),
                     .kind = sample_kind::task},
              0);
  };
  const auto now = base + 60 * 60'000 + 5'000;
  {
    name_table types, regions, keys;
    aggregator agg{types, regions, keys};
    busy_minute_59(agg, types, regions); // the node started in minute 59
    EXPECT_TRUE(anomaly_detector{}.scan(agg, now).empty());
  }
  {
    // Observed (quiet) since minute 40: the same minute is a spike.
    name_table types, regions, keys;
    aggregator agg{types, regions, keys};
    agg.add(sample{.at_ms = base + 40 * 60'000, .latency_us = 1'000, .kind = sample_kind::http}, 0);
    busy_minute_59(agg, types, regions);
    const auto found = anomaly_detector{}.scan(agg, now);
    ASSERT_FALSE(found.empty());
    EXPECT_EQ(found[0].kind, anomaly_kind::traffic_spike);
  }
}

} // namespace
} // namespace nzl::analytics
