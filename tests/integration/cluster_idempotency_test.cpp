// Idempotency-Key across a cluster of two real nodes (protocol 3): each key
// is kept by one node (rendezvous hashing over the live nodes), so a retry
// sent to another node is replayed, never run twice; and a key held by a
// request of a node that dies is released, so a retry elsewhere runs.
// No timing is asserted: every wait is a bounded poll or read.
#include "tests/support/cluster_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/poll.hpp"

#include <gtest/gtest.h>

#include <future>

namespace nzl::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// What node `i` says of `node`'s state ("" when not answered).
std::string state_seen(cluster_process& c, std::size_t i, const std::string& node) {
  http_client cl{c.http_port(i), 2s};
  auto r = cl.request("GET", "/v3/cluster");
  if (!r || r->status != 200)
    return {};
  auto doc = r->json();
  for (const auto& reg : doc["regions"])
    for (const auto& n : reg["nodes"])
      if (n["node"] == node)
        return n["state"].get<std::string>();
  return {};
}

class ClusterIdempotencyIntegrationTest : public ::testing::Test {
protected:
  ClusterIdempotencyIntegrationTest() : cluster_({"ik-a", "ik-b"}) {}
  void SetUp() override {
    for (std::size_t i = 0; i < cluster_.size(); ++i)
      ASSERT_TRUE(cluster_.node(i).start());
    ASSERT_TRUE(eventually([&] { return cluster_.every_node_sees_every_region_up(); }, 30s))
        << "the cluster did not link";
  }
  // The self load's in_flight of node `i`.
  int in_flight(std::size_t i) {
    http_client cl{cluster_.http_port(i), 2s};
    auto r = cl.request("GET", "/v3/cluster");
    if (!r || r->status != 200)
      return -1;
    auto doc = r->json();
    for (const auto& reg : doc["regions"])
      for (const auto& n : reg["nodes"])
        if (n["self"] == true)
          return n["load"]["in_flight"].get<int>();
    return -1;
  }
  cluster_process cluster_;
};

// Several keys, so that both nodes keep some (the owner is a hash).
constexpr int key_count = 12;

// An echo of 20 steps of 100 ms: long enough to be killed while it runs.
std::string slow_body(int k) {
  return json{{"type", "echo"}, {"payload", {{"steps", 20}, {"step_ms", 100}, {"k", k}}}}.dump();
}

TEST_F(ClusterIdempotencyIntegrationTest, ARetryThroughTheOtherNodeIsReplayed) {
  http_client a{cluster_.http_port(0)};
  http_client b{cluster_.http_port(1)};
  for (int k = 0; k < key_count; ++k) {
    const auto key = "order-" + std::to_string(k);
    const auto body = json{{"type", "echo"}, {"payload", {{"k", k}}}}.dump();
    auto first = a.post("/v3/tasks", body, {{"Idempotency-Key", key}});
    ASSERT_TRUE(first) << a.error();
    ASSERT_EQ(first->status, 200u) << first->body;
    EXPECT_FALSE(first->has_header("Idempotent-Replayed"));

    auto again = b.post("/v3/tasks", body, {{"Idempotency-Key", key}});
    ASSERT_TRUE(again) << b.error();
    EXPECT_EQ(again->status, 200u) << again->body;
    EXPECT_EQ(again->header("Idempotent-Replayed"), "true") << key << " ran twice";
    EXPECT_EQ(again->json()["id"], first->json()["id"]) << key;

    // The same key with another body, through either node: 422.
    const auto other = json{{"type", "echo"}, {"payload", {{"k", -1}}}}.dump();
    auto mismatch = b.post("/v3/tasks", other, {{"Idempotency-Key", key}});
    ASSERT_TRUE(mismatch);
    EXPECT_EQ(mismatch->status, 422u) << mismatch->body;
    EXPECT_EQ(mismatch->json()["code"], "idempotency_mismatch");
  }
}

TEST_F(ClusterIdempotencyIntegrationTest, AKeyHeldByADeadNodesRequestIsReleased) {
  // Slow first requests on ik-a, one per key, each key held by whichever
  // node keeps it.
  std::vector<std::future<void>> running;
  for (int k = 0; k < key_count; ++k)
    running.push_back(std::async(std::launch::async, [this, k] {
      http_client a{cluster_.http_port(0), 20s};
      (void)a.post(
          "/v3/tasks",
          json{{"type", "echo"}, {"payload", {{"steps", 30}, {"step_ms", 100}, {"k", k}}}}.dump(),
          {{"Idempotency-Key", "slow-" + std::to_string(k)}});
    }));
  // They run (each began its key before it ran).
  EXPECT_TRUE(eventually([&] { return in_flight(0) >= key_count; }, 20s))
      << "in flight on ik-a: " << in_flight(0);
  ASSERT_TRUE(cluster_.node(0).kill_hard());
  for (auto& r : running)
    r.wait();
  ASSERT_TRUE(eventually([&] { return state_seen(cluster_, 1, "ik-a") == "down"; }, 20s));

  // The same requests through ik-b run now: none waits for ik-a's answer.
  std::vector<std::future<std::optional<http_reply>>> retries;
  for (int k = 0; k < key_count; ++k)
    retries.push_back(std::async(std::launch::async, [this, k] {
      http_client b{cluster_.http_port(1), 20s};
      return b.post("/v3/tasks", slow_body(k), {{"Idempotency-Key", "slow-" + std::to_string(k)}});
    }));
  for (int k = 0; k < key_count; ++k) {
    auto r = retries[static_cast<std::size_t>(k)].get();
    ASSERT_TRUE(r) << "slow-" << k << " got no answer";
    EXPECT_EQ(r->status, 200u) << r->body;
    EXPECT_FALSE(r->has_header("Idempotent-Replayed"));
  }
}

} // namespace
} // namespace nzl::test
