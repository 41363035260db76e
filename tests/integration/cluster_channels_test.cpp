// WebSocket channels across a cluster of three real nodes (issue 6): a
// publish on one node reaches subscribers on the others, and publishers on
// two nodes give every subscriber on every node the same events in the same
// order with the same seq (one sequencer per channel, docs/websocket.md).
// No timing is asserted: every wait is a bounded poll or read.
#include "tests/support/cluster_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/ws_client.hpp"

#include <gtest/gtest.h>

namespace nzl::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::vector<std::string> regions{"ch-a", "ch-b", "ch-c"};

class ClusterChannelsIntegrationTest : public ::testing::Test {
protected:
  ClusterChannelsIntegrationTest() : cluster_(regions) {}
  void SetUp() override {
    for (std::size_t i = 0; i < cluster_.size(); ++i)
      ASSERT_TRUE(cluster_.node(i).start());
    ASSERT_TRUE(eventually([&] { return cluster_.every_node_sees_every_region_up(); }, 30s))
        << "the cluster did not link";
  }
  // A connected session on node `i`, past its welcome.
  std::unique_ptr<ws_client> open(std::size_t i) {
    auto c = std::make_unique<ws_client>();
    EXPECT_TRUE(c->connect(cluster_.http_port(i)));
    auto welcome = c->recv();
    EXPECT_TRUE(welcome && (*welcome)["type"] == "welcome");
    return c;
  }
  void subscribe(ws_client& c, const std::string& channel) {
    ASSERT_TRUE(c.send({{"type", "subscribe"}, {"channel", channel}}));
    ASSERT_TRUE(c.recv_type("subscribed"));
  }
  void publish(ws_client& c, const std::string& channel, const json& data) {
    ASSERT_TRUE(c.send({{"type", "publish"}, {"channel", channel}, {"data", data}}));
    ASSERT_TRUE(c.recv_type("published"));
  }
  cluster_process cluster_;
};

TEST_F(ClusterChannelsIntegrationTest, PublishOnOneNodeReachesSubscriberOnAnother) {
  auto sub = open(1);
  subscribe(*sub, "news");
  auto pub = open(0);
  publish(*pub, "news", {{"headline", "hello"}});
  auto ev = sub->recv_type("event", 10s);
  ASSERT_TRUE(ev) << "no event reached node ch-b";
  EXPECT_EQ((*ev)["channel"], "news");
  EXPECT_EQ((*ev)["data"]["headline"], "hello");
  EXPECT_EQ((*ev)["seq"], 1);
}

TEST_F(ClusterChannelsIntegrationTest, PublishersOnTwoNodesGiveEverySubscriberOneOrder) {
  std::vector<std::unique_ptr<ws_client>> subs;
  for (std::size_t i = 0; i < cluster_.size(); ++i) {
    subs.push_back(open(i));
    subscribe(*subs.back(), "room");
  }
  auto pub_a = open(0);
  auto pub_b = open(1);
  constexpr int per_publisher = 20;
  for (int i = 0; i < per_publisher; ++i) {
    // Both in flight before either is answered: they race at the sequencer.
    ASSERT_TRUE(pub_a->send({{"type", "publish"}, {"channel", "room"}, {"data", {{"a", i}}}}));
    ASSERT_TRUE(pub_b->send({{"type", "publish"}, {"channel", "room"}, {"data", {{"b", i}}}}));
    ASSERT_TRUE(pub_a->recv_type("published"));
    ASSERT_TRUE(pub_b->recv_type("published"));
  }
  std::vector<std::vector<std::pair<std::uint64_t, std::string>>> seen(subs.size());
  for (std::size_t s = 0; s < subs.size(); ++s) {
    while (seen[s].size() < 2 * per_publisher) {
      auto ev = subs[s]->recv_type("event", 10s);
      ASSERT_TRUE(ev) << "node " << regions[s] << " got " << seen[s].size() << " events";
      seen[s].emplace_back((*ev)["seq"].get<std::uint64_t>(), (*ev)["data"].dump());
    }
  }
  for (std::size_t k = 0; k < seen[0].size(); ++k)
    EXPECT_EQ(seen[0][k].first, k + 1);
  for (std::size_t s = 1; s < subs.size(); ++s)
    EXPECT_EQ(seen[s], seen[0]) << "node " << regions[s] << " saw another order";
}

TEST_F(ClusterChannelsIntegrationTest, AlertsChannelStaysOnItsNode) {
  // A client cannot publish to a system channel on any node, and nothing
  // the node publishes there is relayed (unit-tested in
  // ClusterChannelsRelayTest); here: subscribing works on every node.
  auto sub = open(2);
  subscribe(*sub, "alerts");
  auto pub = open(0);
  ASSERT_TRUE(pub->send({{"type", "publish"}, {"channel", "alerts"}, {"data", 1}}));
  auto err = pub->recv_type("error");
  ASSERT_TRUE(err);
  EXPECT_EQ((*err)["code"], "forbidden");
}

} // namespace
} // namespace nzl::test
