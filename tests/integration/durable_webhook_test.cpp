// Webhooks of durable tasks (issue 3): the node POSTs the finished task to a
// receiver in the test, signed the Standard Webhooks way with the node's
// secret from <data-dir>/webhook-secret; failed deliveries are retried and
// every attempt is recorded on the task; the egress rules keep the node from
// calling a loopback address unless the manifest allows it.
#include "net/outbound/webhook_signature.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/http_receiver.hpp"
#include "tests/support/node_process.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/task_poll.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <string>

namespace nzl::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto settle = 30s;

node_options webhook_node(bool allow_loopback) {
  node_options options;
  options.manifest_sections = {
      {"webhooks", {{"enabled", true}, {"retry_base_ms", 50}, {"max_attempts", 3}}},
      {"egress", {{"allow_loopback", allow_loopback}}}};
  return options;
}

// The secret as an operator gets it: `noizylab-node --print-webhook-secret`
// (the file in the data directory is sealed under the node key).
std::string read_secret(const node_process& node) {
  std::ifstream in{node.data_dir() / "webhook-secret"};
  std::string sealed;
  std::getline(in, sealed);
  EXPECT_EQ(sealed.rfind("sealed:v1:", 0), 0u) << "the webhook secret is stored unsealed";
  return print_webhook_secret(node);
}

// Polls the task until its webhook_attempts holds at least `count` entries;
// returns the last record seen.
json wait_for_attempts(http_client& client, const std::string& id, std::size_t count) {
  json record;
  eventually(
      [&] {
        record = get_task(client, id);
        return record.is_object() && record.contains("webhook_attempts") &&
               record["webhook_attempts"].is_array() && record["webhook_attempts"].size() >= count;
      },
      settle);
  return record;
}

class DurableWebhookTest : public ::testing::Test {
protected:
  void start_node(bool allow_loopback) {
    node_ = std::make_unique<node_process>(webhook_node(allow_loopback));
    ASSERT_TRUE(node_->start());
  }

  // Enqueues an echo task whose webhook is `url`; returns its id.
  std::string enqueue(http_client& client, const json& payload, const std::string& url) {
    auto reply = client.post("/v3/tasks", json{{"type", "echo"},
                                               {"payload", payload},
                                               {"options", {{"async", true}, {"webhook", url}}}}
                                              .dump());
    if (!reply) {
      ADD_FAILURE() << client.error();
      return {};
    }
    EXPECT_EQ(reply->status, 202u) << reply->body;
    return reply->json().value("id", "");
  }

  std::unique_ptr<node_process> node_;
};

TEST_F(DurableWebhookTest, DeliversSignedTaskCompletedEvent) {
  http_receiver receiver{{200}};
  ASSERT_TRUE(receiver.start()) << receiver.error();
  ASSERT_NO_FATAL_FAILURE(start_node(true));
  http_client client{node_->port()};
  const json payload = {{"invoice", 17}};
  const auto id = enqueue(client, payload, receiver.url("/hook"));
  ASSERT_FALSE(id.empty());

  auto record = wait_for_attempts(client, id, 1);
  ASSERT_EQ(record.value("status", ""), "completed") << record;
  EXPECT_EQ(record.value("webhook", ""), receiver.url("/hook"));
  ASSERT_EQ(record["webhook_attempts"].size(), 1u) << record;
  const auto& attempt = record["webhook_attempts"][0];
  EXPECT_EQ(attempt.value("attempt", 0), 1) << attempt;
  EXPECT_EQ(attempt.value("status", 0), 200) << attempt;
  EXPECT_FALSE(attempt.contains("error")) << attempt;
  EXPECT_TRUE(attempt.contains("at")) << attempt;

  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u) << receiver.error();
  const auto& req = requests[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/hook");
  EXPECT_EQ(req.header("Content-Type"), "application/json");
  const auto msg_id = req.header("webhook-id");
  const auto timestamp = req.header("webhook-timestamp");
  const auto signature = req.header("webhook-signature");
  EXPECT_EQ(msg_id, "msg_" + id);
  ASSERT_FALSE(timestamp.empty());
  ASSERT_EQ(signature.rfind("v1,", 0), 0u) << signature;

  const auto body = json::parse(req.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << req.body;
  EXPECT_EQ(body.value("type", ""), "task.completed") << req.body;
  ASSERT_TRUE(body.contains("data") && body["data"].is_object()) << req.body;
  EXPECT_EQ(body["data"].value("id", ""), id);
  EXPECT_EQ(body["data"].value("status", ""), "completed");
  EXPECT_EQ(body["data"]["result"], payload);

  const auto secret = read_secret(*node_);
  ASSERT_EQ(secret.rfind("whsec_", 0), 0u) << "webhook-secret holds: " << secret;
  char* end = nullptr;
  const auto ts = std::strtoll(timestamp.c_str(), &end, 10);
  ASSERT_TRUE(end && *end == '\0') << timestamp;
  // Recent, as a receiver checks to refuse replays (Standard Webhooks: 5 min).
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  EXPECT_LT(std::llabs(now - ts), 300) << timestamp;
  EXPECT_TRUE(net::outbound::webhook::verify(secret, msg_id, ts, req.body, signature))
      << "signature " << signature << " does not verify";
  // The check is not vacuous: another body, id or secret does not verify.
  EXPECT_FALSE(net::outbound::webhook::verify(secret, msg_id, ts, req.body + " ", signature));
  EXPECT_FALSE(net::outbound::webhook::verify(secret, msg_id + "x", ts, req.body, signature));
  EXPECT_FALSE(net::outbound::webhook::verify(net::outbound::webhook::generate_secret(), msg_id, ts,
                                              req.body, signature));
}

TEST_F(DurableWebhookTest, SecretStaysTheSameAcrossRestarts) {
  ASSERT_NO_FATAL_FAILURE(start_node(true));
  const auto first = read_secret(*node_);
  ASSERT_TRUE(net::outbound::webhook::valid_secret(first)) << first;
  node_->send_signal(SIGTERM);
  ASSERT_EQ(node_->wait_exit(settle), 0);
  ASSERT_TRUE(node_->restart());
  EXPECT_EQ(read_secret(*node_), first);
}

TEST_F(DurableWebhookTest, FailedDeliveryIsRetriedAndEveryAttemptRecorded) {
  http_receiver receiver{{500, 200}};
  ASSERT_TRUE(receiver.start()) << receiver.error();
  ASSERT_NO_FATAL_FAILURE(start_node(true));
  http_client client{node_->port()};
  const auto id = enqueue(client, {{"n", 1}}, receiver.url("/retry-me"));
  ASSERT_FALSE(id.empty());

  auto record = wait_for_attempts(client, id, 2);
  ASSERT_EQ(record["webhook_attempts"].size(), 2u) << record;
  const auto& first = record["webhook_attempts"][0];
  const auto& second = record["webhook_attempts"][1];
  EXPECT_EQ(first.value("attempt", 0), 1) << record;
  EXPECT_EQ(first.value("status", 0), 500) << record;
  EXPECT_EQ(second.value("attempt", 0), 2) << record;
  EXPECT_EQ(second.value("status", 0), 200) << record;
  EXPECT_EQ(record.value("status", ""), "completed") << record;

  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  // A retry is the same message: same id, and both verify.
  EXPECT_EQ(requests[0].header("webhook-id"), requests[1].header("webhook-id"));
  const auto secret = read_secret(*node_);
  for (const auto& req : requests)
    EXPECT_TRUE(net::outbound::webhook::verify(
        secret, req.header("webhook-id"),
        std::strtoll(req.header("webhook-timestamp").c_str(), nullptr, 10), req.body,
        req.header("webhook-signature")));
}

TEST_F(DurableWebhookTest, DeadTaskIsDeliveredAsTaskDead) {
  http_receiver receiver{{200}};
  ASSERT_TRUE(receiver.start()) << receiver.error();
  ASSERT_NO_FATAL_FAILURE(start_node(true));
  http_client client{node_->port()};
  // The handler refuses "steps": "bad" when it runs; no retry can fix that.
  const auto id = enqueue(client, {{"steps", "bad"}}, receiver.url("/dead"));
  ASSERT_FALSE(id.empty());
  auto record = wait_for_attempts(client, id, 1);
  EXPECT_EQ(record.value("status", ""), "dead") << record;
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto body = json::parse(requests[0].body, nullptr, false);
  EXPECT_EQ(body.value("type", ""), "task.dead") << requests[0].body;
  EXPECT_EQ(body["data"].value("status", ""), "dead") << requests[0].body;
  EXPECT_EQ(body["data"]["error"].value("code", ""), "invalid_field") << requests[0].body;
}

TEST_F(DurableWebhookTest, LoopbackDestinationIsDeniedByDefaultEgress) {
  http_receiver receiver{{200}};
  ASSERT_TRUE(receiver.start()) << receiver.error();
  ASSERT_NO_FATAL_FAILURE(start_node(false));
  http_client client{node_->port()};
  const auto id = enqueue(client, {{"n", 1}}, receiver.url("/hook"));
  ASSERT_FALSE(id.empty());

  // Every attempt (max_attempts 3) is refused before any connection.
  auto record = wait_for_attempts(client, id, 3);
  EXPECT_EQ(record.value("status", ""), "completed") << record;
  ASSERT_EQ(record["webhook_attempts"].size(), 3u) << record;
  for (const auto& attempt : record["webhook_attempts"]) {
    ASSERT_TRUE(attempt.contains("error") && attempt["error"].is_object()) << record;
    EXPECT_EQ(attempt["error"].value("code", ""), "egress_denied") << record;
    EXPECT_FALSE(attempt.contains("status")) << record;
  }
  EXPECT_EQ(receiver.connections(), 0u);
  EXPECT_TRUE(receiver.requests().empty());
}

TEST_F(DurableWebhookTest, WebhookOptionIsRefusedWhenWebhooksAreDisabled) {
  node_ = std::make_unique<node_process>();
  ASSERT_TRUE(node_->start());
  http_client client{node_->port()};
  auto reply = client.post(
      "/v3/tasks",
      json{{"type", "echo"}, {"options", {{"async", true}, {"webhook", "http://127.0.0.1:9/hook"}}}}
          .dump());
  ASSERT_TRUE(reply) << client.error();
  EXPECT_EQ(reply->status, 400u) << reply->body;
  EXPECT_EQ(reply->json().value("field", ""), "options.webhook") << reply->body;
}

// A webhook attempt is recorded by writing the snapshot of the task taken
// when it finished; a retried task must not be rolled back by it.
TEST_F(DurableWebhookTest, LateWebhookAttemptDoesNotRollBackARetriedTask) {
  http_receiver receiver{{500}}; // every delivery fails: attempts go on
  ASSERT_TRUE(receiver.start()) << receiver.error();
  node_options options;
  options.manifest_sections = {
      {"webhooks", {{"enabled", true}, {"retry_base_ms", 1000}, {"max_attempts", 2}}},
      {"egress", {{"allow_loopback", true}}}};
  node_ = std::make_unique<node_process>(options);
  ASSERT_TRUE(node_->start());
  http_client client{node_->port()};
  // Times out after 3 s (dead: max_retries 0); the retried run takes 3 s too.
  auto reply = client.post("/v3/tasks", json{{"type", "echo"},
                                             {"payload", {{"steps", 200}, {"step_ms", 50}}},
                                             {"options",
                                              {{"async", true},
                                               {"timeout_ms", 3000},
                                               {"max_retries", 0},
                                               {"webhook", receiver.url("/late")}}}}
                                            .dump());
  ASSERT_TRUE(reply) << client.error();
  ASSERT_EQ(reply->status, 202u) << reply->body;
  const auto id = reply->json().value("id", "");
  auto record = wait_for_attempts(client, id, 1);
  ASSERT_EQ(record.value("status", ""), "dead") << record;
  auto retry = client.post("/v3/tasks/" + id + "/retry", "");
  ASSERT_TRUE(retry) << client.error();
  ASSERT_EQ(retry->status, 202u) << retry->body;
  // The first delivery's second attempt reaches the receiver ~1 s later,
  // while the retried run (3 s) still runs: the record must still say so.
  ASSERT_TRUE(eventually([&] { return receiver.requests().size() >= 2; }, settle));
  record = get_task(client, id);
  if (record.value("status", "") == "dead") {
    // Only acceptable if the retried run itself already ended (it times out
    // after 3 s) and its own delivery started: then the attempt is its own.
    EXPECT_GE(receiver.requests().size(), 3u) << record;
  } else {
    EXPECT_EQ(record.value("attempts", 0), 1) << record;
    EXPECT_EQ(record["webhook_attempts"].size(), 1u) << record; // the old delivery's 2nd is dropped
  }
  // Do not leave the 10 s handler running into the shutdown.
  auto cancel = client.request("DELETE", "/v3/tasks/" + id);
  EXPECT_TRUE(cancel) << client.error();
}

} // namespace
} // namespace nzl::test
