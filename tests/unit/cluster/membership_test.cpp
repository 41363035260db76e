#include "cluster/membership.hpp"

#include <gtest/gtest.h>

namespace nzl::cluster {
namespace {

using namespace std::chrono_literals;

class ClusterMembershipTest : public ::testing::Test {
protected:
  ClusterMembershipTest() : m_("us-east", "us-east", membership_options{1500ms, 3000ms}) {
    m_.add_peer("eu-west", "eu-west");
    m_.add_peer("asia-east", "asia-east");
  }
  time_point t0_{};
  membership m_;
};

TEST_F(ClusterMembershipTest, PeersStartDownAndSelfRegionIsUp) {
  EXPECT_EQ(m_.find("eu-west")->state, peer_state::down);
  EXPECT_TRUE(m_.region_up("us-east"));
  EXPECT_FALSE(m_.region_up("eu-west"));
  EXPECT_FALSE(m_.region_serving("eu-west"));
}

TEST_F(ClusterMembershipTest, HeartbeatMakesPeerUp) {
  auto t = m_.heard("eu-west", t0_, {}, 0.4);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->from, peer_state::down);
  EXPECT_EQ(t->to, peer_state::up);
  EXPECT_TRUE(m_.region_serving("eu-west"));
  EXPECT_DOUBLE_EQ(m_.find("eu-west")->rtt_ms, 0.4);
  EXPECT_FALSE(m_.heard("eu-west", t0_ + 100ms, {}, 0.8)) << "no change, no transition";
  EXPECT_DOUBLE_EQ(m_.find("eu-west")->rtt_ms, 0.5) << "EWMA moves by a quarter";
}

TEST_F(ClusterMembershipTest, SilenceMakesSuspectThenDown) {
  (void)m_.heard("eu-west", t0_, {});
  EXPECT_TRUE(m_.tick(t0_ + 1499ms).empty());
  auto s = m_.tick(t0_ + 1500ms);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].to, peer_state::suspect);
  EXPECT_TRUE(m_.region_up("eu-west")) << "a suspect node still holds its region up";
  EXPECT_TRUE(m_.region_serving("eu-west"));
  auto d = m_.tick(t0_ + 3000ms);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].to, peer_state::down);
  EXPECT_FALSE(m_.region_up("eu-west"));
  EXPECT_NE(m_.find("eu-west")->detail.find("no heartbeat"), std::string::npos);
}

TEST_F(ClusterMembershipTest, SuspectPeerAnsweringIsUpAgain) {
  (void)m_.heard("eu-west", t0_, {});
  (void)m_.tick(t0_ + 2s);
  auto t = m_.heard("eu-west", t0_ + 2100ms, {});
  ASSERT_TRUE(t);
  EXPECT_EQ(t->from, peer_state::suspect);
  EXPECT_EQ(t->to, peer_state::up);
}

TEST_F(ClusterMembershipTest, TransportLossMakesDownAtOnceAndAnswerRevives) {
  (void)m_.heard("eu-west", t0_, {});
  auto t = m_.lost("eu-west", "remote_link_unreachable");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to, peer_state::down);
  EXPECT_FALSE(m_.region_serving("eu-west"));
  EXPECT_EQ(m_.find("eu-west")->detail, "remote_link_unreachable");
  EXPECT_TRUE(m_.heard("eu-west", t0_ + 5s, {}));
  EXPECT_EQ(m_.find("eu-west")->state, peer_state::up);
}

TEST_F(ClusterMembershipTest, DownPeersAreNotTickedAgain) {
  (void)m_.lost("eu-west", "gone");
  EXPECT_TRUE(m_.tick(t0_ + 1h).empty());
}

TEST_F(ClusterMembershipTest, IncompatiblePeerIsNeverServingAndLossKeepsIt) {
  auto t = m_.refused("eu-west", "protocol 2, we speak 1");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to, peer_state::incompatible);
  EXPECT_FALSE(m_.lost("eu-west", "closed"));
  EXPECT_EQ(m_.find("eu-west")->state, peer_state::incompatible);
  EXPECT_FALSE(m_.region_serving("eu-west"));
}

TEST_F(ClusterMembershipTest, DrainedPeerRegionIsUpButNotServing) {
  load_report drained;
  drained.drained = true;
  (void)m_.heard("eu-west", t0_, drained);
  EXPECT_TRUE(m_.region_up("eu-west"));
  EXPECT_FALSE(m_.region_serving("eu-west"));
}

TEST_F(ClusterMembershipTest, DrainedSelfStopsServingOwnRegion) {
  load_report drained;
  drained.drained = true;
  m_.set_self_load(drained);
  EXPECT_TRUE(m_.region_up("us-east"));
  EXPECT_FALSE(m_.region_serving("us-east"));
}

TEST_F(ClusterMembershipTest, RegionWithTwoNodesStaysUpWhileOneIs) {
  m_.add_peer("eu-west-2", "eu-west");
  (void)m_.heard("eu-west", t0_, {});
  (void)m_.heard("eu-west-2", t0_, {});
  (void)m_.lost("eu-west", "killed");
  EXPECT_TRUE(m_.region_serving("eu-west"));
  auto peers = m_.serving_peers("eu-west");
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0]->node, "eu-west-2");
}

TEST_F(ClusterMembershipTest, UpNodesArePreferredOverSuspectOnes) {
  m_.add_peer("eu-west-2", "eu-west");
  (void)m_.heard("eu-west", t0_, {});
  (void)m_.heard("eu-west-2", t0_ + 1s, {});
  (void)m_.tick(t0_ + 2s);
  auto peers = m_.serving_peers("eu-west");
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0]->node, "eu-west-2");
}

TEST_F(ClusterMembershipTest, UnknownNodesAndSelfAreIgnored) {
  EXPECT_FALSE(m_.heard("mars", t0_, {}));
  m_.add_peer("us-east", "us-east");
  EXPECT_EQ(m_.peers().size(), 2u);
}

} // namespace
} // namespace nzl::cluster
