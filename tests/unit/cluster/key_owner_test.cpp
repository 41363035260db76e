#include "cluster/key_owner.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace nzl::cluster {
namespace {

std::vector<std::string> keys(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i)
    out.push_back("client\norder-" + std::to_string(i));
  return out;
}

TEST(KeyOwnerTest, EveryNodeOwnsSomeAndTheOrderOfNodesDoesNotMatter) {
  const std::vector<std::string> abc{"a", "b", "c"};
  const std::vector<std::string> cab{"c", "a", "b"};
  std::map<std::string, int> owned;
  for (const auto& k : keys(300)) {
    const auto o = key_owner(k, abc);
    EXPECT_EQ(o, key_owner(k, cab)) << k;
    ++owned[o];
  }
  ASSERT_EQ(owned.size(), 3u);
  for (const auto& [node, n] : owned)
    EXPECT_GT(n, 50) << node << " owns too few of 300 keys";
}

TEST(KeyOwnerTest, ANodeLeavingMovesOnlyItsOwnKeys) {
  const std::vector<std::string> all{"a", "b", "c"};
  const std::vector<std::string> without_b{"a", "c"};
  for (const auto& k : keys(300)) {
    const auto before = key_owner(k, all);
    const auto after = key_owner(k, without_b);
    if (before != "b")
      EXPECT_EQ(after, before) << k;
    else
      EXPECT_NE(after, "b") << k;
  }
}

TEST(KeyOwnerTest, NoNodesIsEmptyAndOneNodeOwnsAll) {
  EXPECT_EQ(key_owner("k", std::vector<std::string>{}), "");
  EXPECT_EQ(key_owner("k", std::vector<std::string>{"only"}), "only");
}

// Fixed values (computed independently, in Python, from the description in
// rendezvous.cpp): a change of the hash would split a cluster whose nodes run
// different builds.
TEST(KeyOwnerTest, TheHashIsStable) {
  const std::vector<std::string> nodes{"us-east", "eu-west", "asia-east"};
  std::string seen;
  for (const auto& k : {"k1", "k2", "k3", "k4", "k5", "k6"})
    seen += key_owner(k, nodes) + " ";
  EXPECT_EQ(seen, "eu-west us-east us-east eu-west asia-east us-east ");
}

} // namespace
} // namespace nzl::cluster
