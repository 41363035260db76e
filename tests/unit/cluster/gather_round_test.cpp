#include "cluster/gather_round.hpp"

#include <gtest/gtest.h>

namespace nzl::cluster {
namespace {

TEST(ClusterGatherRoundTest, NodesNotAskedAreMissingAtOnce) {
  gather_round g{{"a", "b", "c"}, {"b"}};
  EXPECT_TRUE(g.waits_for("b"));
  EXPECT_FALSE(g.waits_for("a"));
  EXPECT_TRUE(g.answer("b", "42"));
  EXPECT_TRUE(g.complete());
  auto r = g.finish();
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(r.answers[0].node, "b");
  EXPECT_EQ(r.answers[0].answer, "42");
  ASSERT_EQ(r.missing.size(), 2u);
  EXPECT_EQ(r.missing[0].node, "a");
  EXPECT_EQ(r.missing[0].reason, "down");
  EXPECT_EQ(r.missing[1].node, "c");
}

TEST(ClusterGatherRoundTest, EachNodeIsSettledOnce) {
  gather_round g{{"a", "b"}, {"a", "b"}};
  EXPECT_TRUE(g.fail("a", "lost"));
  EXPECT_FALSE(g.answer("a", "late")); // lost first: the late answer is ignored
  EXPECT_FALSE(g.complete());
  EXPECT_TRUE(g.answer("b", "1"));
  EXPECT_FALSE(g.answer("b", "2"));
  EXPECT_TRUE(g.complete());
  auto r = g.finish();
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(r.answers[0].answer, "1");
  ASSERT_EQ(r.missing.size(), 1u);
  EXPECT_EQ(r.missing[0].reason, "lost");
}

TEST(ClusterGatherRoundTest, FinishListsTheSilentAsTimedOut) {
  gather_round g{{"a", "b"}, {"a", "b"}};
  EXPECT_TRUE(g.answer("a", "x"));
  auto r = g.finish();
  ASSERT_EQ(r.missing.size(), 1u);
  EXPECT_EQ(r.missing[0].node, "b");
  EXPECT_EQ(r.missing[0].reason, "timed out");
}

TEST(ClusterGatherRoundTest, NoPeersIsCompleteAtOnce) {
  gather_round g{{}, {}};
  EXPECT_TRUE(g.complete());
  auto r = g.finish();
  EXPECT_TRUE(r.answers.empty());
  EXPECT_TRUE(r.missing.empty());
}

} // namespace
} // namespace nzl::cluster
