// WebSocket channels across the cluster without a network: three channel
// registries, each with its cluster_channels relay over a fake
// peer_messaging whose links are FIFO queues that the test pumps. Shows
// the contract of docs/websocket.md: one sequencer per channel, the same
// events in the same order with the same seq on every node.
#include "actors/ws/channel_registry.hpp"
#include "actors/ws/cluster_channels.hpp"
#include "cluster/channel_home.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <set>

namespace nzl::actors::ws {
namespace {

using nlohmann::json;

struct bus;

// One node's peer_messaging: sends go into the bus's per-link queues.
class fake_peers final : public nzl::cluster::peer_messaging {
public:
  fake_peers(bus& b, std::string self) : bus_(b), self_(std::move(self)) {}
  void on_message(std::string topic, message_handler h) override {
    handlers[std::move(topic)] = std::move(h);
  }
  void on_question(std::string, question_handler) override {}
  result<bool> send(std::string_view node, std::string_view topic, std::string payload) override;
  result<bool> broadcast(std::string_view topic, std::string payload) override;
  void gather(std::string_view, std::string, std::chrono::milliseconds,
              gather_handler done) override {
    done({});
  }
  std::string self_node() const override { return self_; }
  std::vector<std::string> nodes() const override;
  std::vector<std::string> live_nodes() const override;

  std::map<std::string, message_handler, std::less<>> handlers;

private:
  bus& bus_;
  std::string self_;
};

struct message {
  std::string from;
  std::string topic;
  std::string payload;
};

struct bus {
  std::vector<std::string> names;
  std::set<std::string> down;
  std::map<std::string, std::unique_ptr<fake_peers>> peers;
  std::map<std::pair<std::string, std::string>, std::deque<message>> links; // (from, to)

  // Delivers queued messages, one link step at a time, until quiet.
  void pump() {
    for (bool any = true; any;) {
      any = false;
      for (auto& [link, q] : links) {
        if (q.empty())
          continue;
        auto m = std::move(q.front());
        q.pop_front();
        any = true;
        if (down.count(link.second))
          continue;
        auto& h = peers[link.second]->handlers;
        if (auto it = h.find(m.topic); it != h.end())
          it->second(m.from, m.payload);
      }
    }
  }
};

result<bool> fake_peers::send(std::string_view node, std::string_view topic, std::string payload) {
  if (!bus_.down.count(std::string{node}))
    bus_.links[{self_, std::string{node}}].push_back({self_, std::string{topic}, payload});
  return true;
}
result<bool> fake_peers::broadcast(std::string_view topic, std::string payload) {
  for (const auto& n : bus_.names)
    if (n != self_ && !bus_.down.count(n))
      bus_.links[{self_, n}].push_back({self_, std::string{topic}, payload});
  return true;
}
std::vector<std::string> fake_peers::nodes() const {
  return bus_.names;
}
std::vector<std::string> fake_peers::live_nodes() const {
  std::vector<std::string> out;
  for (const auto& n : bus_.names)
    if (!bus_.down.count(n))
      out.push_back(n);
  return out;
}

struct recorder final : net::ws_subscriber {
  std::vector<json> got;
  void deliver(std::shared_ptr<const std::string> t) override {
    got.push_back(json::parse(*t + "}"));
  }
};

struct node {
  std::unique_ptr<channel_registry> registry = std::make_unique<channel_registry>();
  std::unique_ptr<cluster_channels> relay;
  std::shared_ptr<recorder> sub = std::make_shared<recorder>();
};

class ClusterChannelsRelayTest : public ::testing::Test {
protected:
  void SetUp() override {
    b.names = {"n1", "n2", "n3"};
    for (const auto& n : b.names) {
      b.peers[n] = std::make_unique<fake_peers>(b, n);
      auto& nd = nodes[n];
      nd.relay = std::make_unique<cluster_channels>(*b.peers[n], *nd.registry);
      nd.relay->attach();
      nd.registry->set_relay(nd.relay.get());
    }
  }
  bus b;
  std::map<std::string, node> nodes;
};

TEST_F(ClusterChannelsRelayTest, PublishOnOneNodeReachesSubscribersOnEveryNode) {
  for (auto& [n, nd] : nodes)
    ASSERT_TRUE(nd.registry->subscribe("news", nd.sub));
  nodes["n1"].registry->publish("news", R"({"x":1})");
  b.pump();
  for (auto& [n, nd] : nodes) {
    ASSERT_EQ(nd.sub->got.size(), 1u) << n;
    EXPECT_EQ(nd.sub->got[0]["data"]["x"], 1);
    EXPECT_EQ(nd.sub->got[0]["seq"], 1);
    EXPECT_EQ(nd.sub->got[0]["channel"], "news");
  }
}

TEST_F(ClusterChannelsRelayTest, PublishersOnEveryNodeGiveOneOrderEverywhere) {
  for (auto& [n, nd] : nodes)
    ASSERT_TRUE(nd.registry->subscribe("room", nd.sub));
  // Interleave publishes from all nodes with partial pumping.
  for (int i = 0; i < 30; ++i) {
    nodes[b.names[static_cast<std::size_t>(i) % 3]].registry->publish("room", std::to_string(i));
    if (i % 4 == 0)
      b.pump();
  }
  b.pump();
  const auto& ref = nodes["n1"].sub->got;
  ASSERT_EQ(ref.size(), 30u);
  for (std::size_t i = 0; i < ref.size(); ++i)
    EXPECT_EQ(ref[i]["seq"], i + 1);
  for (auto& [n, nd] : nodes)
    EXPECT_EQ(nd.sub->got, ref) << n;
}

TEST_F(ClusterChannelsRelayTest, HomeNumbersEvenWithoutLocalSubscribers) {
  auto home = nzl::cluster::channel_home("quiet", b.names);
  std::string other = home == "n1" ? "n2" : "n1";
  ASSERT_TRUE(nodes[other].registry->subscribe("quiet", nodes[other].sub));
  nodes[other].registry->publish("quiet", "1");
  nodes[other].registry->publish("quiet", "2");
  b.pump();
  ASSERT_EQ(nodes[other].sub->got.size(), 2u);
  EXPECT_EQ(nodes[other].sub->got[1]["seq"], 2);
}

TEST_F(ClusterChannelsRelayTest, NextNodeNumbersOnFromTheHighestSeqItSawWhenTheHomeIsDown) {
  auto home = nzl::cluster::channel_home("ha", b.names);
  for (auto& [n, nd] : nodes)
    ASSERT_TRUE(nd.registry->subscribe("ha", nd.sub));
  for (int i = 0; i < 3; ++i)
    nodes[home].registry->publish("ha", std::to_string(i));
  b.pump();
  b.down.insert(home);
  std::string survivor = home == "n3" ? "n1" : "n3";
  nodes[survivor].registry->publish("ha", R"("after")");
  b.pump();
  for (auto& [n, nd] : nodes) {
    if (n == home)
      continue;
    ASSERT_EQ(nd.sub->got.size(), 4u) << n;
    EXPECT_EQ(nd.sub->got[3]["seq"], 4) << n;
    EXPECT_EQ(nd.sub->got[3]["data"], "after");
  }
}

TEST_F(ClusterChannelsRelayTest, SystemChannelsStayOnTheirNode) {
  for (auto& [n, nd] : nodes) {
    ASSERT_TRUE(nd.registry->subscribe("alerts", nd.sub));
    ASSERT_TRUE(nd.registry->subscribe("tasks/k1", nd.sub));
    ASSERT_TRUE(nd.registry->subscribe("analytics", nd.sub));
  }
  EXPECT_EQ(nodes["n2"].registry->publish("alerts", "1"), 1u);
  nodes["n2"].registry->publish("tasks/k1", "2");
  nodes["n2"].registry->publish("analytics", "3");
  b.pump();
  EXPECT_EQ(nodes["n2"].sub->got.size(), 3u);
  EXPECT_TRUE(nodes["n1"].sub->got.empty());
  EXPECT_TRUE(nodes["n3"].sub->got.empty());
}

TEST(ClusterChannelsWireTest, EncodesAndChecksTheWireForms) {
  auto pub = cluster_channels::encode_publish("a.b", R"({"k":1})");
  auto p = cluster_channels::decode_publish(pub);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->channel, "a.b");
  EXPECT_EQ(p->data, R"({"k":1})");
  auto ev = cluster_channels::encode_event("c", "[1]", 77);
  auto e = cluster_channels::decode_event(ev);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->seq, 77u);
  EXPECT_EQ(e->channel, "c");
  EXPECT_EQ(e->data, "[1]");
  EXPECT_FALSE(cluster_channels::decode_event("x\nc\n1"));
  EXPECT_FALSE(cluster_channels::decode_event("0\nc\n1"));
  EXPECT_FALSE(cluster_channels::decode_event("99999999999999999999\nc\n1"));
  EXPECT_FALSE(cluster_channels::decode_publish("bad channel\n1"));
  EXPECT_FALSE(cluster_channels::decode_publish("c\n"));
  EXPECT_FALSE(cluster_channels::decode_publish("no-newline"));
}

} // namespace
} // namespace nzl::actors::ws
