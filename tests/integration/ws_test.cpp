// WebSocket sessions against a real node with a Beast client: every message
// type, the errors, auth by header and by token, resume, the slow-consumer
// rule, the size limit and shutdown with 1001.
#include "tests/support/http_client.hpp"
#include "tests/support/node_process.hpp"
#include "tests/support/ws_client.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <optional>
#include <string>

namespace nzl::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class WsIntegrationTest : public ::testing::Test {
protected:
  void SetUp() override { start({}); }
  void start(json websocket_section) {
    node_options o;
    if (!websocket_section.empty())
      o.manifest_sections["websocket"] = websocket_section;
    node_.emplace(o);
    ASSERT_TRUE(node_->start());
  }
  // A connected client past its welcome message.
  std::unique_ptr<ws_client> open() {
    auto c = std::make_unique<ws_client>();
    EXPECT_TRUE(c->connect(node_->port()));
    auto welcome = c->recv();
    EXPECT_TRUE(welcome && (*welcome)["type"] == "welcome");
    if (welcome)
      session_ = (*welcome)["session"].get<std::string>();
    return c;
  }
  std::optional<node_process> node_;
  std::string session_;
};

TEST_F(WsIntegrationTest, PingGetsPongWithTheSameIdAndSequenceNumbers) {
  auto c = open();
  ASSERT_TRUE(c->send({{"type", "ping"}, {"id", "p1"}}));
  auto pong = c->recv();
  ASSERT_TRUE(pong);
  EXPECT_EQ((*pong)["type"], "pong");
  EXPECT_EQ((*pong)["id"], "p1");
  EXPECT_EQ((*pong)["msg_seq"], 2); // welcome was 1
}

TEST_F(WsIntegrationTest, TaskStreamsProgressThenOneResult) {
  auto c = open();
  ASSERT_TRUE(c->send({{"type", "task"},
                       {"id", 7},
                       {"task", {{"type", "echo"}, {"payload", {{"steps", 4}, {"step_ms", 5}}}}}}));
  std::vector<int> percents;
  std::optional<json> last;
  while (auto m = c->recv()) {
    if ((*m)["type"] == "progress") {
      EXPECT_EQ((*m)["id"], 7);
      percents.push_back((*m)["percent"].get<int>());
      continue;
    }
    last = m;
    break;
  }
  EXPECT_EQ(percents, (std::vector<int>{25, 50, 75, 100}));
  ASSERT_TRUE(last);
  EXPECT_EQ((*last)["type"], "result");
  EXPECT_EQ((*last)["id"], 7);
  EXPECT_EQ((*last)["result"]["steps"], 4);
}

TEST_F(WsIntegrationTest, CancelStopsARunningTask) {
  auto c = open();
  ASSERT_TRUE(
      c->send({{"type", "task"},
               {"id", "slow"},
               {"task", {{"type", "echo"}, {"payload", {{"steps", 100}, {"step_ms", 100}}}}}}));
  ASSERT_TRUE(c->recv_type("progress"));
  ASSERT_TRUE(c->send({{"type", "cancel"}, {"id", "slow"}}));
  auto err = c->recv_type("error", 10s);
  ASSERT_TRUE(err);
  EXPECT_EQ((*err)["id"], "slow");
  EXPECT_EQ((*err)["code"], "task_cancelled");
}

TEST_F(WsIntegrationTest, ErrorsHaveCodesAndKeepTheConnectionOpen) {
  auto c = open();
  ASSERT_TRUE(c->send_text("{not json"));
  EXPECT_EQ((*c->recv())["code"], "invalid_json");
  ASSERT_TRUE(c->send({{"type", "dance"}, {"id", 1}}));
  EXPECT_EQ((*c->recv())["code"], "unknown_message_type");
  ASSERT_TRUE(c->send({{"type", "task"}, {"id", 2}, {"task", {{"type", "no-such-type"}}}}));
  auto e = c->recv_type("error");
  ASSERT_TRUE(e);
  EXPECT_EQ((*e)["code"], "unknown_task_type");
  ASSERT_TRUE(c->send({{"type", "cancel"}, {"id", "none"}}));
  EXPECT_EQ((*c->recv())["code"], "not_found");
  ASSERT_TRUE(c->send({{"type", "subscribe"}, {"channel", "bad channel!"}}));
  EXPECT_EQ((*c->recv())["code"], "invalid_field");
  ASSERT_TRUE(c->send({{"type", "publish"}, {"channel", "tasks"}, {"data", 1}}));
  EXPECT_EQ((*c->recv())["code"], "forbidden");
  // Every system channel: a forged analytics snapshot reached dashboards.
  for (const char* system : {"alerts", "analytics"}) {
    ASSERT_TRUE(c->send({{"type", "publish"}, {"channel", system}, {"data", 1}}));
    EXPECT_EQ((*c->recv())["code"], "forbidden") << system;
  }
  ASSERT_TRUE(c->send({{"type", "ping"}, {"id", "still"}}));
  EXPECT_EQ((*c->recv())["type"], "pong");
}

TEST_F(WsIntegrationTest, GarbageInARowClosesWith1008) {
  auto c = open();
  for (int i = 0; i < 12; ++i)
    (void)c->send_text("garbage");
  EXPECT_EQ(c->wait_close(), 1008u);
}

TEST_F(WsIntegrationTest, PublishReachesEverySubscriberInOrder) {
  auto a = open();
  auto b = open();
  for (auto* c : {a.get(), b.get()}) {
    ASSERT_TRUE(c->send({{"type", "subscribe"}, {"channel", "news"}, {"id", "s"}}));
    auto m = c->recv();
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)["type"], "subscribed");
  }
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(a->send({{"type", "publish"}, {"channel", "news"}, {"data", {{"n", i}}}}));
  for (auto* c : {a.get(), b.get()}) {
    for (int i = 0; i < 5; ++i) {
      auto e = c->recv_type("event");
      ASSERT_TRUE(e);
      EXPECT_EQ((*e)["channel"], "news");
      EXPECT_EQ((*e)["data"]["n"], i);
      EXPECT_EQ((*e)["seq"], i + 1);
    }
  }
  ASSERT_TRUE(b->send({{"type", "unsubscribe"}, {"channel", "news"}}));
  EXPECT_EQ((*b->recv_type("unsubscribed"))["channel"], "news");
}

// Subscribers on both io threads of the node: the publisher's own thread
// writes to its subscribers directly, the other thread's are woken in one
// batch (net/ws/internal/wake_list.hpp); every subscriber still gets every
// event, in order, and answers in between keep their session's msg_seq order.
TEST_F(WsIntegrationTest, PublishWakesSubscribersOnEveryIoThreadInOrder) {
  std::vector<std::unique_ptr<ws_client>> subs;
  for (int i = 0; i < 8; ++i) {
    subs.push_back(open());
    ASSERT_TRUE(subs.back()->send({{"type", "subscribe"}, {"channel", "fan"}}));
    ASSERT_TRUE(subs.back()->recv_type("subscribed"));
  }
  auto pub = open();
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(pub->send({{"type", "publish"}, {"channel", "fan"}, {"data", i}}));
  for (auto& c : subs) {
    ASSERT_TRUE(c->send({{"type", "ping"}, {"id", "after"}}));
    std::uint64_t last_msg_seq = 0;
    for (int i = 0; i < 20; ++i) {
      auto e = c->recv();
      ASSERT_TRUE(e);
      if ((*e)["type"] == "pong") { // may come between the events
        --i;
      } else {
        EXPECT_EQ((*e)["type"], "event");
        EXPECT_EQ((*e)["data"], i);
        EXPECT_EQ((*e)["seq"], i + 1);
      }
      EXPECT_GT((*e)["msg_seq"].get<std::uint64_t>(), last_msg_seq);
      last_msg_seq = (*e)["msg_seq"].get<std::uint64_t>();
    }
  }
}

// `published.seq` is the number this node gave the event; a channel nobody
// listens to on a single node numbers nothing, and the reply then carries no
// seq (it used to say 0, as it did for a channel another node numbers).
TEST_F(WsIntegrationTest, PublishedCarriesTheSeqOnlyWhenThisNodeNumberedTheEvent) {
  auto pub = open();
  ASSERT_TRUE(pub->send({{"type", "publish"}, {"channel", "empty"}, {"data", 1}, {"id", 1}}));
  auto none = pub->recv_type("published");
  ASSERT_TRUE(none);
  EXPECT_EQ((*none)["channel"], "empty");
  EXPECT_FALSE(none->contains("seq"));
  auto sub = open();
  ASSERT_TRUE(sub->send({{"type", "subscribe"}, {"channel", "full"}}));
  ASSERT_TRUE(sub->recv_type("subscribed"));
  for (int i = 1; i <= 2; ++i) {
    ASSERT_TRUE(pub->send({{"type", "publish"}, {"channel", "full"}, {"data", i}}));
    auto numbered = pub->recv_type("published");
    ASSERT_TRUE(numbered);
    EXPECT_EQ((*numbered)["seq"], i);
    EXPECT_EQ((*sub->recv_type("event"))["seq"], i);
  }
}

TEST_F(WsIntegrationTest, TasksChannelCarriesTheCallersTaskLifecycle) {
  auto c = open();
  ASSERT_TRUE(c->send({{"type", "subscribe"}, {"channel", "tasks"}}));
  ASSERT_TRUE(c->recv_type("subscribed"));
  ASSERT_TRUE(c->send({{"type", "task"}, {"id", 1}, {"task", {{"type", "echo"}, {"payload", 1}}}}));
  auto running = c->recv_type("event");
  ASSERT_TRUE(running);
  EXPECT_EQ((*running)["channel"], "tasks");
  EXPECT_EQ((*running)["data"]["status"], "running");
  auto done = c->recv_type("event");
  ASSERT_TRUE(done);
  EXPECT_EQ((*done)["data"]["status"], "completed");
}

TEST_F(WsIntegrationTest, UpgradeWithoutKeyIsRefusedAsHttp401) {
  ws_client c;
  EXPECT_FALSE(c.connect(node_->port(), "/v3/ws", ""));
  EXPECT_EQ(c.handshake_status(), 401u);
}

TEST_F(WsIntegrationTest, TokenAuthenticatesOnceOnly) {
  http_client http{node_->port()};
  auto reply = http.post("/v3/ws/tokens", "{}");
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->status, 201u) << reply->body;
  auto token = reply->json()["token"].get<std::string>();
  EXPECT_EQ(token.size(), 32u);
  EXPECT_TRUE(reply->json().contains("expires_at"));
  ws_client c;
  ASSERT_TRUE(c.connect(node_->port(), "/v3/ws?token=" + token, ""));
  EXPECT_EQ((*c.recv())["type"], "welcome");
  ws_client again;
  EXPECT_FALSE(again.connect(node_->port(), "/v3/ws?token=" + token, ""));
  EXPECT_EQ(again.handshake_status(), 401u);
}

TEST_F(WsIntegrationTest, ResumeDeliversWhatWasMissed) {
  auto a = open();
  auto id = session_;
  ASSERT_TRUE(a->send({{"type", "subscribe"}, {"channel", "feed"}}));
  auto sub = a->recv_type("subscribed");
  ASSERT_TRUE(sub);
  auto have = (*sub)["msg_seq"].get<std::uint64_t>();
  a.reset(); // the connection drops
  auto pub = open();
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(pub->send({{"type", "publish"}, {"channel", "feed"}, {"data", i}}));
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(pub->recv_type("published"));
  auto b = open();
  ASSERT_TRUE(b->send({{"type", "resume"}, {"session", id}, {"last_seq", have}}));
  for (int i = 0; i < 3; ++i) {
    auto e = b->recv_type("event");
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)["data"], i);
    EXPECT_EQ((*e)["msg_seq"], have + 1 + i);
  }
  auto resumed = b->recv_type("resumed");
  ASSERT_TRUE(resumed);
  EXPECT_EQ((*resumed)["session"], id);
  EXPECT_EQ((*resumed)["lost"], 0);
  ASSERT_TRUE(b->send({{"type", "resume"}, {"session", "nope"}, {"last_seq", 0}}));
  EXPECT_EQ((*b->recv_type("error"))["code"], "session_not_found");
}

class WsLimitsIntegrationTest : public WsIntegrationTest {
protected:
  void SetUp() override {
    start({{"max_message_bytes", 65536}, {"max_queued", 8}, {"resume_buffer", 4}});
  }
};

TEST_F(WsLimitsIntegrationTest, OversizedMessageClosesWith1009) {
  auto c = open();
  ASSERT_TRUE(c->send({{"type", "ping"}, {"data", std::string(100'000, 'x')}}));
  EXPECT_EQ(c->wait_close(), 1009u);
}

// Regression (issue 6): Beast's own size limit closed the socket after one
// read, so a client still writing its message got a reset (its write failed)
// instead of the 1009 — 1 run in 15 under load with 100 KB, every time with
// a message far bigger than the socket buffers. The node now drains it.
TEST_F(WsLimitsIntegrationTest, OversizedMessageStillBeingWrittenGetsThe1009NotAReset) {
  auto c = open();
  ASSERT_TRUE(c->send({{"type", "ping"}, {"data", std::string(8 * 1024 * 1024, 'x')}}));
  EXPECT_EQ(c->wait_close(), 1009u);
}

TEST_F(WsLimitsIntegrationTest, SlowConsumerIsToldThenClosedWith1008) {
  auto slow = open();
  ASSERT_TRUE(slow->send({{"type", "subscribe"}, {"channel", "flood"}}));
  ASSERT_TRUE(slow->recv_type("subscribed"));
  auto pub = open();
  // Big events fill the socket buffers, then the outbox (max_queued 8); the
  // slow client reads nothing meanwhile. How many events that takes depends
  // on the kernel's buffers, so publish until the node logs that it gave up
  // on the client (a state, not a count or a time).
  std::string big(60'000, 'y');
  bool gave_up = false;
  for (int i = 0; i < 2000 && !gave_up; ++i) {
    ASSERT_TRUE(pub->send({{"type", "publish"}, {"channel", "flood"}, {"data", big}}));
    ASSERT_TRUE(pub->recv_type("published"));
    gave_up = !node_->log_events("ws_slow_consumer").empty();
  }
  ASSERT_TRUE(gave_up);
  // The node writes what it had queued, the lagging notice among it, then
  // closes with 1008 (within its 5 s close guard: read now).
  bool lagging = false;
  while (auto m = slow->recv(10s))
    lagging = lagging || (*m)["type"] == "lagging";
  EXPECT_TRUE(lagging);
  EXPECT_EQ(slow->wait_close(), 1008u);
}

TEST_F(WsIntegrationTest, ShutdownClosesSessionsWith1001) {
  auto c = open();
  node_->send_signal(SIGTERM);
  EXPECT_EQ(c->wait_close(), 1001u);
  EXPECT_EQ(node_->wait_exit(20s), 0);
}

} // namespace
} // namespace nzl::test
