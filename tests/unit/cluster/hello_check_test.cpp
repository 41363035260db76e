// The check of a peer's hello (issue 5: "a node can tell a peer of another
// protocol version and refuse it clearly"): each reason names both sides.
#include "cluster/hello_check.hpp"

#include <gtest/gtest.h>

namespace nzl::cluster {
namespace {

const hello_fields mine{2, "local", "us-east", "us-east"};

TEST(ClusterHelloCheckTest, APeerOfTheManifestIsAccepted) {
  EXPECT_EQ(hello_refusal(mine, {2, "local", "eu-west", "eu-west"}, "eu-west"), "");
}

TEST(ClusterHelloCheckTest, AnotherProtocolVersionIsRefusedNamingBoth) {
  EXPECT_EQ(hello_refusal(mine, {3, "local", "eu-west", "eu-west"}, "eu-west"),
            "peer eu-west speaks cluster protocol 3, this node speaks 2");
}

TEST(ClusterHelloCheckTest, TheVersionIsCheckedFirst) {
  auto why = hello_refusal(mine, {1, "other", "mars", "mars"}, std::nullopt);
  EXPECT_NE(why.find("protocol 1"), std::string::npos) << why;
}

TEST(ClusterHelloCheckTest, AnotherClusterIsRefusedNamingBoth) {
  EXPECT_EQ(hello_refusal(mine, {2, "other", "eu-west", "eu-west"}, "eu-west"),
            "peer eu-west belongs to cluster 'other', not 'local'");
}

TEST(ClusterHelloCheckTest, ANodeNotInTheManifestOrInAnotherRegionIsRefused) {
  EXPECT_EQ(hello_refusal(mine, {2, "local", "mars", "mars"}, std::nullopt),
            "peer mars (region mars) is not in this node's manifest");
  EXPECT_EQ(hello_refusal(mine, {2, "local", "eu-west", "asia-east"}, "eu-west"),
            "peer eu-west (region asia-east) is not in this node's manifest");
}

} // namespace
} // namespace nzl::cluster
