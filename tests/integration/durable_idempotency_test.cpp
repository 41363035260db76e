// Idempotency-Key (issue 3, IETF httpapi draft): the same key and body get
// the first answer again, marked Idempotent-Replayed, without running the
// task twice; another body with the key is a 422; identical requests in
// flight at once run once; stored answers survive a crash.
#include "tests/support/http_client.hpp"
#include "tests/support/node_process.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/problem_check.hpp"
#include "tests/support/task_poll.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <latch>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace nzl::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto settle = 30s;

std::string async_body(const std::string& queue, const json& payload) {
  return json{
      {"type", "echo"}, {"payload", payload}, {"options", {{"async", true}, {"queue", queue}}}}
      .dump();
}

class DurableIdempotencyTest : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_TRUE(node_.start()); }

  std::optional<http_reply> post_with_key(http_client& client, const std::string& key,
                                          const std::string& body) {
    return client.post("/v3/tasks", body, {{"Idempotency-Key", key}});
  }

  node_process node_;
};

TEST_F(DurableIdempotencyTest, SameKeyAndBodyReplaysTheFirstAnswerAndRunsOnce) {
  http_client client{node_.port()};
  const auto body = async_body("idem", {{"order", 1234}});
  auto first = post_with_key(client, "order-1234", body);
  ASSERT_TRUE(first) << client.error();
  ASSERT_EQ(first->status, 202u) << first->body;
  EXPECT_FALSE(first->has_header("Idempotent-Replayed"));
  const auto id = first->json().value("id", "");
  ASSERT_FALSE(id.empty());

  auto second = post_with_key(client, "order-1234", body);
  ASSERT_TRUE(second) << client.error();
  EXPECT_EQ(second->status, 202u) << second->body;
  EXPECT_EQ(second->body, first->body);
  EXPECT_EQ(second->json().value("id", ""), id);
  EXPECT_EQ(second->header("Idempotent-Replayed"), "true");
  EXPECT_EQ(second->header("Location"), "/v3/tasks/" + id);

  auto record = wait_for_status(client, id, "completed", settle);
  ASSERT_EQ(record.value("status", ""), "completed") << record;
  EXPECT_EQ(record.value("attempts", 0), 1) << record;
  EXPECT_EQ(record["result"], json({{"order", 1234}}));

  // Both answers are out, so any second task would already be admitted:
  // once the queue is idle, its totals are final.
  json stats;
  ASSERT_TRUE(eventually(
      [&] {
        auto reply = client.request("GET", "/v3/queues/idem");
        stats = reply && reply->status == 200 ? reply->json() : json{};
        return stats.is_object() && stats.contains("depth") &&
               stats["depth"].value("queued", 1) == 0 && stats["depth"].value("running", 1) == 0 &&
               stats["totals"].value("completed", 0) >= 1;
      },
      settle))
      << stats;
  EXPECT_EQ(stats["totals"].value("completed", 0), 1) << stats;
}

TEST_F(DurableIdempotencyTest, SameKeyWithAnotherBodyIsAMismatch) {
  http_client client{node_.port()};
  auto first = post_with_key(client, "k-mismatch", async_body("idem", {{"a", 1}}));
  ASSERT_TRUE(first) << client.error();
  ASSERT_EQ(first->status, 202u) << first->body;

  auto other = post_with_key(client, "k-mismatch", async_body("idem", {{"a", 2}}));
  ASSERT_TRUE(other) << client.error();
  EXPECT_TRUE(is_problem(*other, 422, "idempotency_mismatch"));
  EXPECT_EQ(other->json().value("field", ""), "Idempotency-Key") << other->body;
  EXPECT_FALSE(other->has_header("Idempotent-Replayed"));

  // The key still replays its own request.
  auto again = post_with_key(client, "k-mismatch", async_body("idem", {{"a", 1}}));
  ASSERT_TRUE(again) << client.error();
  EXPECT_EQ(again->body, first->body);
  EXPECT_EQ(again->header("Idempotent-Replayed"), "true");
}

TEST_F(DurableIdempotencyTest, ConcurrentIdenticalRequestsRunOnce) {
  constexpr int senders = 3;
  const std::string body = R"({"type":"echo","payload":{"steps":3,"step_ms":50}})";
  std::vector<std::optional<http_reply>> replies(senders);
  std::vector<std::string> errors(senders);
  std::latch connected{senders};
  std::vector<std::thread> threads;
  for (int i = 0; i < senders; ++i)
    threads.emplace_back([&, i] {
      http_client client{node_.port()};
      bool ok = client.connect();
      connected.arrive_and_wait(); // all three send at about the same time
      if (!ok) {
        errors[i] = client.error();
        return;
      }
      replies[i] = client.post("/v3/tasks", body, {{"Idempotency-Key", "same-sync-key"}});
      if (!replies[i])
        errors[i] = client.error();
    });
  for (auto& t : threads)
    t.join();

  std::string id;
  int replayed = 0;
  for (int i = 0; i < senders; ++i) {
    ASSERT_TRUE(replies[i]) << "sender " << i << ": " << errors[i];
    EXPECT_EQ(replies[i]->status, 200u) << replies[i]->body;
    auto doc = replies[i]->json();
    EXPECT_EQ(doc.value("status", ""), "completed") << replies[i]->body;
    EXPECT_EQ(doc["result"], json({{"steps", 3}, {"step_ms", 50}})) << replies[i]->body;
    if (id.empty())
      id = doc.value("id", "");
    EXPECT_EQ(doc.value("id", ""), id) << "every answer is the one run's";
    replayed += replies[i]->header("Idempotent-Replayed") == "true" ? 1 : 0;
  }
  EXPECT_FALSE(id.empty());
  // One request ran; the others waited for it (or came after) and got its answer.
  EXPECT_EQ(replayed, senders - 1);
}

TEST_F(DurableIdempotencyTest, StoredAnswerSurvivesKill9) {
  std::string first_body;
  {
    http_client client{node_.port()};
    auto first = post_with_key(client, "survivor", async_body("idem", {{"keep", true}}));
    ASSERT_TRUE(first) << client.error();
    ASSERT_EQ(first->status, 202u) << first->body;
    first_body = first->body;
  }
  // The answer was stored durably before the client saw it.
  ASSERT_TRUE(node_.kill_hard());
  ASSERT_TRUE(node_.restart());
  http_client client{node_.port()};
  auto again = post_with_key(client, "survivor", async_body("idem", {{"keep", true}}));
  ASSERT_TRUE(again) << client.error();
  EXPECT_EQ(again->status, 202u) << again->body;
  EXPECT_EQ(again->body, first_body);
  EXPECT_EQ(again->header("Idempotent-Replayed"), "true");
  const auto id = json::parse(first_body).value("id", "");
  EXPECT_EQ(wait_for_status(client, id, "completed", settle).value("status", ""), "completed");
}

TEST_F(DurableIdempotencyTest, MalformedKeyIsRefused) {
  http_client client{node_.port()};
  auto reply = post_with_key(client, std::string(256, 'k'), async_body("idem", {{"a", 1}}));
  ASSERT_TRUE(reply) << client.error();
  EXPECT_TRUE(is_problem(*reply, 400, "invalid_field"));
  EXPECT_EQ(reply->json().value("field", ""), "Idempotency-Key") << reply->body;
}

} // namespace
} // namespace nzl::test
