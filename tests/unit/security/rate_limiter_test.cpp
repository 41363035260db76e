#include "security/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace nzl::security {
namespace {

constexpr std::int64_t t0 = 1'700'000'000'000;
const rate_tier default_tier{"default", 100, 60};

TEST(SecurityRateLimiterTest, HeaderValuesFollowTheDraft) {
  EXPECT_EQ(ratelimit_policy_value(default_tier), "\"default\";q=100;w=60");
  take_result taken;
  taken.remaining = 50;
  taken.reset_seconds = 30;
  EXPECT_EQ(ratelimit_value(default_tier, taken), "\"default\";r=50;t=30");
  taken.retry_after_seconds = 0;
  EXPECT_EQ(retry_after_value(taken), "1");
  taken.retry_after_seconds = 7;
  EXPECT_EQ(retry_after_value(taken), "7");
}

TEST(SecurityRateLimiterTest, BucketsAreSeparatePerKey) {
  rate_limiter limiter;
  rate_tier tiny{"tiny", 2, 60};
  EXPECT_TRUE(limiter.take("key:a", tiny, 2, t0).allowed);
  EXPECT_FALSE(limiter.take("key:a", tiny, 1, t0).allowed);
  EXPECT_TRUE(limiter.take("key:b", tiny, 1, t0).allowed);
  EXPECT_EQ(limiter.size(), 2u);
  EXPECT_EQ(limiter.peek("key:a", tiny, t0).remaining, 0);
  EXPECT_EQ(limiter.peek("key:none", tiny, t0).remaining, 2);
}

TEST(SecurityRateLimiterTest, EvictsLeastRecentlyUsedAtCap) {
  rate_limiter limiter(2);
  rate_tier tiny{"tiny", 1, 3600};
  EXPECT_TRUE(limiter.take("a", tiny, 1, t0).allowed);
  EXPECT_TRUE(limiter.take("b", tiny, 1, t0 + 1).allowed);
  EXPECT_FALSE(limiter.take("a", tiny, 1, t0 + 2).allowed); // a is now most recent
  EXPECT_TRUE(limiter.take("c", tiny, 1, t0 + 3).allowed);  // evicts b
  EXPECT_EQ(limiter.size(), 2u);
  EXPECT_FALSE(limiter.take("a", tiny, 1, t0 + 4).allowed);
  EXPECT_TRUE(limiter.take("b", tiny, 1, t0 + 5).allowed); // b came back full
}

TEST(SecurityRateLimiterTest, PruneDropsFullBuckets) {
  rate_limiter limiter;
  rate_tier tier{"t", 10, 10};
  EXPECT_TRUE(limiter.take("a", tier, 1, t0).allowed);
  EXPECT_TRUE(limiter.take("b", tier, 10, t0).allowed);
  EXPECT_EQ(limiter.prune(t0 + 1000), 1u); // a refilled its token in 1 s
  EXPECT_EQ(limiter.size(), 1u);
}

TEST(SecurityRateLimiterTest, TierChangeKeepsRemainingTokens) {
  rate_limiter limiter;
  EXPECT_TRUE(limiter.take("a", rate_tier{"t", 10, 60}, 8, t0).allowed);
  auto after = limiter.take("a", rate_tier{"big", 1000, 60}, 1, t0);
  EXPECT_TRUE(after.allowed);
  EXPECT_EQ(after.remaining, 1);
  auto small = limiter.take("a", rate_tier{"t", 10, 60}, 1, t0);
  EXPECT_TRUE(small.allowed);
  EXPECT_EQ(small.remaining, 0);
  EXPECT_FALSE(limiter.take("a", rate_tier{"t", 10, 60}, 1, t0).allowed);
}

TEST(SecurityRateLimiterTest, SnapshotRestoreSurvivesRestart) {
  rate_limiter limiter;
  EXPECT_TRUE(limiter.take("key:a", default_tier, 60, t0).allowed);
  EXPECT_TRUE(limiter.take("ip:192.0.2.1", default_tier, 1, t0).allowed);
  EXPECT_TRUE(limiter.take("key:full", default_tier, 1, t0 - 3'600'000).allowed);
  auto snap = limiter.snapshot(t0);
  ASSERT_EQ(snap["buckets"].size(), 2u); // the refilled bucket is left out
  auto text = snap.dump();

  rate_limiter restarted;
  auto restored = restarted.restore(nlohmann::json::parse(text));
  ASSERT_TRUE(restored);
  EXPECT_EQ(*restored, 2u);
  EXPECT_EQ(restarted.peek("key:a", default_tier, t0).remaining, 40);
  auto next = restarted.take("key:a", default_tier, 1, t0 + 600);
  EXPECT_TRUE(next.allowed);
  EXPECT_EQ(next.remaining, 40);
}

TEST(SecurityRateLimiterTest, RestoreRejectsBadSnapshotsWithoutChange) {
  rate_limiter limiter;
  EXPECT_TRUE(limiter.take("a", default_tier, 1, t0).allowed);
  for (const char* bad :
       {R"([])", R"({"v":2,"buckets":[]})", R"({"v":1})",
        R"({"v":1,"buckets":[{"k":"x","q":0,"w":60,"u":0,"t":0}]})",
        R"({"v":1,"buckets":[{"k":"x","q":10,"w":60,"u":"0","t":0}]})",
        R"({"v":1,"buckets":[{"k":"","q":10,"w":60,"u":0,"t":0}]})", R"({"v":1,"buckets":[1]})"}) {
    EXPECT_FALSE(limiter.restore(nlohmann::json::parse(bad))) << bad;
    EXPECT_EQ(limiter.size(), 1u) << bad;
  }
}

TEST(SecurityRateLimiterTest, RestoreKeepsAtMostMaxBuckets) {
  rate_limiter source;
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(source.take("k" + std::to_string(i), default_tier, 1, t0 + i).allowed);
  rate_limiter small(3);
  auto restored = small.restore(source.snapshot(t0 + 10));
  ASSERT_TRUE(restored);
  EXPECT_EQ(*restored, 3u);
  // The most recently used ones were kept.
  EXPECT_EQ(small.peek("k4", default_tier, t0 + 10).remaining, 99);
  EXPECT_EQ(small.peek("k0", default_tier, t0 + 10).remaining, 100);
}

TEST(SecurityRateLimiterTest, TierValidation) {
  EXPECT_TRUE(check_tier({"default", 100, 60}));
  EXPECT_FALSE(check_tier({"Default", 100, 60}));
  EXPECT_FALSE(check_tier({"a\"b", 100, 60}));
  EXPECT_FALSE(check_tier({"", 100, 60}));
  EXPECT_FALSE(check_tier({"x", 0, 60}));
  EXPECT_FALSE(check_tier({"x", 10, 0}));
  EXPECT_FALSE(check_tier({"x", 10, 10'000'000}));
}

} // namespace
} // namespace nzl::security
