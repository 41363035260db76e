#include "net/connection_budget.hpp"

#include <gtest/gtest.h>

namespace nzl::net {
namespace {

TEST(ConnectionBudgetTest, AHighLimitKeepsTheConfiguredCap) {
  auto b = budget_connections(1024, 64, 20'000);
  EXPECT_EQ(b.sessions, 1024u);
  EXPECT_EQ(b.rejecters, 64u);
}

TEST(ConnectionBudgetTest, ALowLimitLowersTheCapAndKeepsAnEighthBack) {
  // 1024 descriptors: 128 kept back, 64 for refusals, 832 for sessions.
  auto b = budget_connections(1024, 64, 1024);
  EXPECT_EQ(b.sessions, 832u);
  EXPECT_EQ(b.rejecters, 64u);
  EXPECT_LE(b.sessions + b.rejecters + 1024 / 8, 1024u);
}

TEST(ConnectionBudgetTest, AVeryLowLimitKeepsTheMinimumBackAndFewRefusals) {
  // 96 descriptors: 32 kept back; refusals get a quarter of the other 64.
  auto b = budget_connections(1024, 64, 96);
  EXPECT_EQ(b.rejecters, 16u);
  EXPECT_EQ(b.sessions, 48u);
}

TEST(ConnectionBudgetTest, NeverLessThanOneOfEach) {
  for (std::uint64_t limit : {0u, 1u, 8u, 32u, 33u}) {
    auto b = budget_connections(1024, 64, limit);
    EXPECT_GE(b.sessions, 1u) << limit;
    EXPECT_GE(b.rejecters, 1u) << limit;
  }
  auto none = budget_connections(0, 0, 20'000);
  EXPECT_EQ(none.sessions, 1u);
  EXPECT_EQ(none.rejecters, 1u);
}

static_assert(budget_connections(10, 64, 20'000).sessions == 10);

} // namespace
} // namespace nzl::net
