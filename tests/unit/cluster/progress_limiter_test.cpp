#include "cluster/progress_limiter.hpp"

#include <gtest/gtest.h>

namespace nzl::cluster {
namespace {

using namespace std::chrono_literals;

TEST(ProgressLimiterTest, FirstGoesThenOnePerGap) {
  progress_limiter l{20ms};
  const auto t0 = progress_limiter::clock::time_point{} + 1h;
  EXPECT_TRUE(l.admit(1, t0));
  EXPECT_FALSE(l.admit(2, t0 + 5ms));
  EXPECT_FALSE(l.admit(3, t0 + 19ms));
  EXPECT_TRUE(l.admit(4, t0 + 20ms));
  EXPECT_FALSE(l.admit(5, t0 + 21ms));
  EXPECT_TRUE(l.admit(6, t0 + 100ms));
}

TEST(ProgressLimiterTest, TheFinalReportAlwaysGoes) {
  progress_limiter l{20ms};
  const auto t0 = progress_limiter::clock::time_point{} + 1h;
  EXPECT_TRUE(l.admit(99, t0));
  EXPECT_TRUE(l.admit(100, t0 + 1ms));
  EXPECT_TRUE(l.admit(100, t0 + 1ms));
  // The final report restarts the gap.
  EXPECT_FALSE(l.admit(50, t0 + 2ms));
}

} // namespace
} // namespace nzl::cluster
