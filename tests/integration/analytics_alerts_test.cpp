// Issue 11, "Watching": when an alert rule fires, the event reaches all three
// sinks the issue names: the `alerts` WebSocket channel (admin keys), the
// manifest's `analytics.alert_webhook` (signed the Standard Webhooks way with
// the node's webhook secret, body {type, timestamp, data}) and the log. Every
// wait is a bounded read or poll; no timing is asserted.
#include "net/outbound/webhook_signature.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/http_receiver.hpp"
#include "tests/support/node_process.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/ws_client.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>

namespace nzl::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class AnalyticsAlertSinksTest : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_TRUE(receiver_.start()) << receiver_.error(); }

  // A rule that fires on the first echo task (p95 over 0 ms, no `for`).
  void start_node() {
    node_options options;
    options.manifest_sections = {{"webhooks", {{"enabled", true}}},
                                 {"egress", {{"allow_loopback", true}}},
                                 {"analytics",
                                  {{"alerts", json::array({{{"name", "echo-slow"},
                                                            {"kind", "p95_over"},
                                                            {"threshold_ms", 0},
                                                            {"for", "0s"},
                                                            {"window", "1m"},
                                                            {"type", "echo"}}})},
                                   {"alert_webhook", receiver_.url("/alerts")}}}};
    node_ = std::make_unique<node_process>(options);
    ASSERT_TRUE(node_->start());
  }

  void run_echo() {
    http_client c{node_->port()};
    auto r = c.post("/v3/tasks", R"({"type":"echo","payload":{"n":1}})");
    ASSERT_TRUE(r) << c.error();
    ASSERT_EQ(r->status, 200u) << r->body;
  }

  http_receiver receiver_{{200}};
  std::unique_ptr<node_process> node_;
};

TEST_F(AnalyticsAlertSinksTest, FiringEventReachesTheAlertsChannel) {
  ASSERT_NO_FATAL_FAILURE(start_node());
  ws_client ws; // the test admin key: the alerts channel is for admin keys
  ASSERT_TRUE(ws.connect(node_->port()));
  ASSERT_TRUE(ws.send({{"type", "subscribe"}, {"channel", "alerts"}}));
  ASSERT_TRUE(ws.recv_type("subscribed"));
  ASSERT_NO_FATAL_FAILURE(run_echo());
  auto ev = ws.recv_type("event", 20s); // bounded: rules are evaluated every second
  ASSERT_TRUE(ev) << "no event on the alerts channel";
  EXPECT_EQ((*ev)["channel"], "alerts");
  auto data = (*ev)["data"];
  if (data.is_string()) // however the channel carries it, it is the event document
    data = json::parse(data.get<std::string>(), nullptr, false);
  ASSERT_TRUE(data.is_object()) << ev->dump();
  EXPECT_EQ(data["rule"], "echo-slow");
  EXPECT_EQ(data["state"], "firing");
  EXPECT_EQ(data["kind"], "p95_over");
  EXPECT_EQ(data["type"], "echo");
  for (auto field : {"value", "threshold", "since", "at", "seq", "node"})
    EXPECT_TRUE(data.contains(field)) << field << " missing: " << data.dump();
}

TEST_F(AnalyticsAlertSinksTest, FiringEventIsPostedToTheWebhookSignedAndLogged) {
  ASSERT_NO_FATAL_FAILURE(start_node());
  ASSERT_NO_FATAL_FAILURE(run_echo());
  ASSERT_TRUE(eventually([&] { return !receiver_.requests().empty(); }, 20s))
      << "the alert webhook was not called; " << receiver_.error();
  const auto req = receiver_.requests().front();
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/alerts");
  EXPECT_EQ(req.header("Content-Type"), "application/json");
  const auto body = json::parse(req.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << req.body;
  EXPECT_EQ(body.value("type", ""), "alert.firing") << req.body;
  EXPECT_TRUE(body.contains("timestamp")) << req.body;
  ASSERT_TRUE(body.contains("data") && body["data"].is_object()) << req.body;
  EXPECT_EQ(body["data"].value("rule", ""), "echo-slow");
  EXPECT_EQ(body["data"].value("state", ""), "firing");

  const auto msg_id = req.header("webhook-id");
  const auto timestamp = req.header("webhook-timestamp");
  const auto signature = req.header("webhook-signature");
  // Unique across the cluster (each node numbers its events from 1).
  EXPECT_EQ(msg_id.rfind("alert_test-region_1_", 0), 0u) << msg_id;
  ASSERT_EQ(signature.rfind("v1,", 0), 0u) << signature;
  char* end = nullptr;
  const auto ts = std::strtoll(timestamp.c_str(), &end, 10);
  ASSERT_TRUE(end && *end == '\0' && !timestamp.empty()) << timestamp;
  const auto secret = print_webhook_secret(*node_);
  ASSERT_EQ(secret.rfind("whsec_", 0), 0u) << secret;
  EXPECT_TRUE(net::outbound::webhook::verify(secret, msg_id, ts, req.body, signature))
      << "signature " << signature << " does not verify";
  EXPECT_FALSE(net::outbound::webhook::verify(secret, msg_id, ts, req.body + " ", signature));

  ASSERT_TRUE(eventually([&] { return !node_->log_events("alert").empty(); }, 20s));
  const auto logged = node_->log_events("alert").front();
  EXPECT_EQ(logged.value("level", ""), "warn") << logged.dump();
}

// The dashboard's live updates: a subscriber of the `analytics` channel gets
// the snapshot that GET /v3/analytics/live answers, with the measured tasks.
using AnalyticsLiveChannelTest = AnalyticsAlertSinksTest;

TEST_F(AnalyticsLiveChannelTest, SubscriberGetsSnapshotsWithTheTasks) {
  ASSERT_NO_FATAL_FAILURE(start_node());
  ASSERT_NO_FATAL_FAILURE(run_echo());
  ws_client ws;
  ASSERT_TRUE(ws.connect(node_->port()));
  ASSERT_TRUE(ws.send({{"type", "subscribe"}, {"channel", "analytics"}}));
  ASSERT_TRUE(ws.recv_type("subscribed"));
  auto ev = ws.recv_type("event", 20s); // bounded: a snapshot every 2 s
  ASSERT_TRUE(ev) << "no event on the analytics channel";
  EXPECT_EQ((*ev)["channel"], "analytics");
  const auto& data = (*ev)["data"];
  for (auto field : {"node", "generated_at", "tasks_1m", "http_1m", "regions_5m", "types_5m",
                     "timeline", "timeline_slot_ms", "firing"})
    EXPECT_TRUE(data.contains(field)) << field << " missing: " << data.dump();
  EXPECT_GE(data["tasks_1m"].value("count", 0), 1) << data.dump();
  EXPECT_EQ(data["node"], "test-region");
}

} // namespace
} // namespace nzl::test
