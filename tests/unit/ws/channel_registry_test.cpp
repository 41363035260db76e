#include "actors/ws/channel_registry.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace nzl::actors::ws {
namespace {

struct recorder final : net::ws_subscriber {
  std::vector<std::string> got;
  void deliver(std::shared_ptr<const std::string> t) override { got.push_back(*t); }
};

struct relay_probe final : net::channel_relay {
  std::vector<std::string> sent;
  void forward(std::string_view ch, std::string_view data) override {
    sent.push_back(std::string{ch} + "=" + std::string{data});
  }
};

TEST(WsChannelRegistryTest, FansOutInOrderWithSequenceNumbers) {
  channel_registry reg;
  auto a = std::make_shared<recorder>();
  auto b = std::make_shared<recorder>();
  ASSERT_TRUE(reg.subscribe("news", a));
  ASSERT_TRUE(reg.subscribe("news", b));
  EXPECT_EQ(reg.publish("news", "1"), 1u);
  EXPECT_EQ(reg.publish("news", R"({"x":2})"), 2u);
  ASSERT_EQ(a->got.size(), 2u);
  EXPECT_EQ(a->got[0], R"({"type":"event","channel":"news","data":1,"seq":1)");
  EXPECT_EQ(b->got[1], R"({"type":"event","channel":"news","data":{"x":2},"seq":2)");
}

TEST(WsChannelRegistryTest, DeadAndUnsubscribedSubscribersGetNothing) {
  channel_registry reg;
  auto a = std::make_shared<recorder>();
  auto b = std::make_shared<recorder>();
  ASSERT_TRUE(reg.subscribe("c", a));
  ASSERT_TRUE(reg.subscribe("c", b));
  reg.unsubscribe("c", a.get());
  b.reset();
  reg.publish("c", "0");
  EXPECT_TRUE(a->got.empty());
  EXPECT_EQ(reg.subscribers("c"), 0u);
}

TEST(WsChannelRegistryTest, SystemChannelsShowTheirNameAndRelayGetsLocalPublishesOnly) {
  channel_registry reg;
  relay_probe relay;
  reg.set_relay(&relay);
  auto a = std::make_shared<recorder>();
  ASSERT_TRUE(reg.subscribe("tasks/k_1", a));
  reg.publish("tasks/k_1", "1");
  reg.deliver_remote("tasks/k_1", "2");
  ASSERT_EQ(a->got.size(), 2u);
  EXPECT_EQ(a->got[0], R"({"type":"event","channel":"tasks","data":1,"seq":1)");
  EXPECT_EQ(relay.sent, std::vector<std::string>{"tasks/k_1=1"});
}

TEST(WsChannelRegistryTest, ChannelCountIsBounded) {
  channel_registry reg{{2, 10}};
  auto a = std::make_shared<recorder>();
  EXPECT_TRUE(reg.subscribe("a", a));
  EXPECT_TRUE(reg.subscribe("b", a));
  EXPECT_FALSE(reg.subscribe("c", a));
}

} // namespace
} // namespace nzl::actors::ws
