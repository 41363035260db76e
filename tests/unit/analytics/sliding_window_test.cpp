#include "analytics/sliding_window.hpp"

#include <gtest/gtest.h>

namespace nzl::analytics {
namespace {

struct counter {
  std::uint64_t n = 0;
  void merge(const counter& o) { n += o.n; }
};

constexpr std::int64_t t0 = 1'700'000'000'000; // a multiple of 15 min? no: aligned below

TEST(AnalyticsWindowTest, ParsesWindows) {
  EXPECT_EQ(*parse_window("1m"), 60'000);
  EXPECT_EQ(*parse_window("5m"), 300'000);
  EXPECT_EQ(*parse_window("1h"), 3'600'000);
  EXPECT_EQ(*parse_window("24h"), 86'400'000);
  EXPECT_EQ(*parse_window("30s"), 30'000);
  for (const char* bad : {"", "m", "0m", "25h", "-1m", "5", "5d", "1.5h", "99999999h", "1441m"})
    EXPECT_FALSE(parse_window(bad)) << bad;
  EXPECT_EQ(window_text(300'000), "5m");
  EXPECT_EQ(window_text(3'600'000), "1h");
}

TEST(AnalyticsWindowTest, PicksTheFinestTierThatCovers) {
  EXPECT_EQ(tier_for(60'000), 0u);
  EXPECT_EQ(tier_for(300'000), 0u);
  EXPECT_EQ(tier_for(301'000), 1u);
  EXPECT_EQ(tier_for(3'600'000), 1u);
  EXPECT_EQ(tier_for(86'400'000), 2u);
}

TEST(AnalyticsWindowTest, CountsOnlyTheWindow) {
  sliding_window<counter> w;
  const std::int64_t start = (t0 / 900'000) * 900'000;
  // One sample per second for 10 minutes.
  for (std::int64_t s = 0; s < 600; ++s)
    ASSERT_TRUE(w.add(start + s * 1'000, [](counter& c) { ++c.n; }));
  const std::int64_t now = start + 599'000;
  // 1 min: 12 slots of 5 s, the current one included: 60 samples.
  EXPECT_EQ(w.query(60'000, now).n, 60u);
  EXPECT_EQ(w.query(300'000, now).n, 300u);
  EXPECT_EQ(w.query(3'600'000, now).n, 600u);
  EXPECT_EQ(w.query(86'400'000, now).n, 600u);
  // Ten minutes later nothing is in the 5-minute window.
  EXPECT_EQ(w.query(300'000, now + 600'000).n, 0u);
  EXPECT_EQ(w.query(3'600'000, now + 600'000).n, 600u);
  // A day later the slots are gone.
  EXPECT_EQ(w.query(86'400'000, now + 86'400'000 + 900'000).n, 0u);
  EXPECT_TRUE(w.idle(now + 86'400'000 + 900'000));
  EXPECT_FALSE(w.idle(now));
}

TEST(AnalyticsWindowTest, DropsSamplesOlderThanTheirSlot) {
  sliding_window<counter> w;
  const std::int64_t start = (t0 / 900'000) * 900'000;
  ASSERT_TRUE(w.add(start + 400'000, [](counter& c) { ++c.n; }));
  // 400 s earlier reuses the same 5-s slot of tier 0 (a 300-s ring): too old there.
  EXPECT_FALSE(w.add(start + 100'000, [](counter& c) { ++c.n; }));
  EXPECT_EQ(w.query(300'000, start + 400'000).n, 1u);
  EXPECT_EQ(w.query(3'600'000, start + 400'000).n, 2u);
}

TEST(AnalyticsWindowTest, VisitsSlotsOldestFirst) {
  sliding_window<counter> w;
  const std::int64_t start = (t0 / 900'000) * 900'000;
  for (int m = 0; m < 5; ++m)
    (void)w.add(start + m * 60'000, [&](counter& c) { c.n += static_cast<std::uint64_t>(m + 1); });
  std::vector<std::uint64_t> seen;
  w.for_each_slot_in_tier(1, 3'600'000, start + 4 * 60'000,
                          [&](std::int64_t, const counter& c) { seen.push_back(c.n); });
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
}

} // namespace
} // namespace nzl::analytics
