#include "security/token_bucket.hpp"

#include <gtest/gtest.h>

namespace nzl::security {
namespace {

constexpr std::int64_t t0 = 1'700'000'000'000;

TEST(SecurityTokenBucketTest, StartsFullAndDrains) {
  token_bucket bucket(100, 60, t0);
  auto first = bucket.try_take(1, t0);
  EXPECT_TRUE(first.allowed);
  EXPECT_EQ(first.remaining, 99);
  EXPECT_EQ(first.reset_seconds, 1); // 0.6 s to refill one token
  auto batch = bucket.try_take(49, t0);
  EXPECT_TRUE(batch.allowed);
  EXPECT_EQ(batch.remaining, 50);
  EXPECT_EQ(batch.reset_seconds, 30);
}

TEST(SecurityTokenBucketTest, RefusesWhenEmptyWithRetryAfter) {
  token_bucket bucket(10, 60, t0); // one token per 6 s
  EXPECT_TRUE(bucket.try_take(10, t0).allowed);
  auto refused = bucket.try_take(1, t0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.retry_after_seconds, 6);
  EXPECT_EQ(refused.reset_seconds, 60);
  auto three = bucket.try_take(3, t0 + 1000);
  EXPECT_FALSE(three.allowed);
  EXPECT_EQ(three.retry_after_seconds, 17); // 18 s for three tokens, 1 s gone
}

TEST(SecurityTokenBucketTest, RefillsContinuously) {
  token_bucket bucket(10, 60, t0);
  EXPECT_TRUE(bucket.try_take(10, t0).allowed);
  EXPECT_FALSE(bucket.try_take(1, t0 + 5999).allowed);
  auto one = bucket.try_take(1, t0 + 6000);
  EXPECT_TRUE(one.allowed);
  EXPECT_EQ(one.remaining, 0);
  // Long idle refills to capacity, never beyond.
  auto later = bucket.try_take(1, t0 + 10LL * 365 * 86'400'000);
  EXPECT_TRUE(later.allowed);
  EXPECT_EQ(later.remaining, 9);
}

TEST(SecurityTokenBucketTest, ClockGoingBackwardsRefillsNothing) {
  token_bucket bucket(10, 10, t0);
  EXPECT_TRUE(bucket.try_take(10, t0).allowed);
  EXPECT_FALSE(bucket.try_take(1, t0 - 100'000).allowed);
  EXPECT_TRUE(bucket.try_take(1, t0 + 1000).allowed);
}

TEST(SecurityTokenBucketTest, BatchLargerThanQuotaNeverPasses) {
  token_bucket bucket(5, 60, t0);
  auto too_big = bucket.try_take(6, t0);
  EXPECT_FALSE(too_big.allowed);
  EXPECT_TRUE(too_big.exceeds_quota);
  EXPECT_EQ(too_big.remaining, 5); // nothing was taken
  EXPECT_TRUE(bucket.try_take(5, t0).allowed);
}

TEST(SecurityTokenBucketTest, RestoreKeepsState) {
  token_bucket bucket(100, 60, t0);
  EXPECT_TRUE(bucket.try_take(40, t0).allowed);
  auto copy =
      token_bucket::restore(bucket.quota(), bucket.window_s(), bucket.units(), bucket.updated_ms());
  EXPECT_EQ(copy.peek(t0 + 3000).remaining, bucket.peek(t0 + 3000).remaining);
  EXPECT_EQ(copy.peek(t0).remaining, 60);
  EXPECT_FALSE(copy.full_at(t0 + 23'999));
  EXPECT_TRUE(copy.full_at(t0 + 24'000));
}

} // namespace
} // namespace nzl::security
