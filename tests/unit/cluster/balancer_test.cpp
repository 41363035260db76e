#include "cluster/balancer.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace nzl::cluster {
namespace {

std::map<std::string, int> spread(balancer& b, const std::vector<candidate>& nodes, int n) {
  std::map<std::string, int> counts;
  for (int i = 0; i < n; ++i)
    ++counts[std::string{nodes[b.pick(nodes)].node}];
  return counts;
}

TEST(ClusterBalancerTest, RoundRobinTakesTurns) {
  balancer b{balance_policy::round_robin};
  std::vector<candidate> nodes{{"a"}, {"b"}, {"c"}};
  std::vector<std::size_t> seq;
  for (int i = 0; i < 6; ++i)
    seq.push_back(b.pick(nodes));
  EXPECT_EQ(seq, (std::vector<std::size_t>{0, 1, 2, 0, 1, 2}));
}

TEST(ClusterBalancerTest, LeastConnectionsPicksFewestInFlight) {
  balancer b{balance_policy::least_connections};
  std::vector<candidate> nodes{{"a", 5}, {"b", 1}, {"c", 3}};
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(b.pick(nodes), 1u);
}

TEST(ClusterBalancerTest, LeastConnectionsTiesTakeTurns) {
  balancer b{balance_policy::least_connections};
  std::vector<candidate> nodes{{"a", 2}, {"b", 2}, {"c", 7}};
  auto counts = spread(b, nodes, 10);
  EXPECT_EQ(counts["a"], 5);
  EXPECT_EQ(counts["b"], 5);
  EXPECT_EQ(counts["c"], 0);
}

TEST(ClusterBalancerTest, WeightedGivesEachItsShare) {
  balancer b{balance_policy::weighted};
  std::vector<candidate> nodes{{"a", 0, 5}, {"b", 0, 1}, {"c", 0, 1}};
  auto counts = spread(b, nodes, 70);
  EXPECT_EQ(counts["a"], 50);
  EXPECT_EQ(counts["b"], 10);
  EXPECT_EQ(counts["c"], 10);
}

TEST(ClusterBalancerTest, WeightedInterleaves) {
  // Smooth WRR with 5:1:1 gives a a b a c a a, not a a a a a b c.
  balancer b{balance_policy::weighted};
  std::vector<candidate> nodes{{"a", 0, 5}, {"b", 0, 1}, {"c", 0, 1}};
  std::string seq;
  for (int i = 0; i < 7; ++i)
    seq += nodes[b.pick(nodes)].node;
  EXPECT_EQ(seq, "aabacaa");
}

TEST(ClusterBalancerTest, LatencyPicksSmallestRtt) {
  balancer b{balance_policy::latency};
  std::vector<candidate> nodes{{"a", 0, 1, 2.5}, {"b", 0, 1, 0.4}, {"c", 0, 1, 1.0}};
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(b.pick(nodes), 1u);
}

TEST(ClusterBalancerTest, SingleNodeIsAlwaysChosen) {
  for (auto p : {balance_policy::round_robin, balance_policy::least_connections,
                 balance_policy::weighted, balance_policy::latency}) {
    balancer b{p};
    std::vector<candidate> nodes{{"only"}};
    EXPECT_EQ(b.pick(nodes), 0u);
  }
}

TEST(ClusterBalancerTest, PolicyNamesRoundTrip) {
  for (auto p : {balance_policy::round_robin, balance_policy::least_connections,
                 balance_policy::weighted, balance_policy::latency})
    EXPECT_EQ(parse_balance_policy(to_string(p)), p);
  EXPECT_FALSE(parse_balance_policy("random"));
}

} // namespace
} // namespace nzl::cluster
