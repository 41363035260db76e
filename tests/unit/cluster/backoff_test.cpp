#include "cluster/backoff.hpp"

#include <gtest/gtest.h>

namespace nzl::cluster {
namespace {

using namespace std::chrono_literals;

TEST(ClusterBackoffTest, GrowsWithinJitterBoundsUpToCap) {
  backoff b{250ms, 4s, 42};
  std::chrono::milliseconds expected_max = 250ms;
  for (int i = 0; i < 12; ++i) {
    auto d = b.next();
    EXPECT_GE(d, expected_max / 2) << "attempt " << i;
    EXPECT_LE(d, expected_max) << "attempt " << i;
    expected_max = std::min<std::chrono::milliseconds>(expected_max * 2, 4s);
  }
}

TEST(ClusterBackoffTest, ResetStartsOver) {
  backoff b{100ms, 10s, 7};
  for (int i = 0; i < 5; ++i)
    (void)b.next();
  b.reset();
  EXPECT_LE(b.next(), 100ms);
  EXPECT_EQ(b.attempts(), 1u);
}

TEST(ClusterBackoffTest, SameSeedSameDelays) {
  backoff a{250ms, 10s, 9};
  backoff b{250ms, 10s, 9};
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(a.next(), b.next());
}

} // namespace
} // namespace nzl::cluster
