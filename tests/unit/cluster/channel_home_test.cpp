#include "cluster/channel_home.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace nzl::cluster {
namespace {

TEST(ClusterChannelHomeTest, SameChoiceWhateverTheOrderOfTheLiveSet) {
  std::vector<std::string> a{"asia-east", "eu-west", "us-east"};
  std::vector<std::string> b{"us-east", "asia-east", "eu-west"};
  for (int i = 0; i < 200; ++i) {
    auto ch = "chan-" + std::to_string(i);
    EXPECT_EQ(channel_home(ch, a), channel_home(ch, b)) << ch;
  }
}

TEST(ClusterChannelHomeTest, StableHashIsFnv1a) {
  EXPECT_EQ(stable_hash(""), 14695981039346656037ull);
  EXPECT_EQ(stable_hash("a"), 0xaf63dc4c8601ec8cull);
}

TEST(ClusterChannelHomeTest, SpreadsChannelsOverNodes) {
  std::vector<std::string> nodes{"n1", "n2", "n3"};
  std::map<std::string, int> count;
  for (int i = 0; i < 3000; ++i)
    ++count[channel_home("c" + std::to_string(i), nodes)];
  ASSERT_EQ(count.size(), 3u);
  for (auto& [n, c] : count)
    EXPECT_GT(c, 700) << n; // 1000 expected each
}

TEST(ClusterChannelHomeTest, OnlyTheDownNodesChannelsMoveAndTheyMoveBack) {
  std::vector<std::string> all{"n1", "n2", "n3"};
  std::vector<std::string> without_n2{"n1", "n3"};
  for (int i = 0; i < 500; ++i) {
    auto ch = "c" + std::to_string(i);
    auto home = channel_home(ch, all);
    auto during = channel_home(ch, without_n2);
    if (home != "n2")
      EXPECT_EQ(during, home) << ch;
    else
      EXPECT_NE(during, "n2");
    EXPECT_EQ(channel_home(ch, all), home); // back when n2 returns
  }
}

TEST(ClusterChannelHomeTest, EmptyLiveSetHasNoHome) {
  EXPECT_EQ(channel_home("c", {}), "");
  std::vector<std::string> one{"solo"};
  EXPECT_EQ(channel_home("c", one), "solo");
}

} // namespace
} // namespace nzl::cluster
