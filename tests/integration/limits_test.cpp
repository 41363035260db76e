// Limits that need a node of their own: short read and idle timeouts (a
// client that stalls is cut off), and a small connection cap (a flood is
// refused, never queued without bound). Waits are on the connection's state
// with generous bounds; no test asserts how long anything took.
#include "tests/support/http_client.hpp"
#include "tests/support/node_process.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/problem_check.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace nzl::test {
namespace {

using namespace std::chrono_literals;

// A bound far above the node's timeouts: only a node that never cuts the
// client off makes the wait fail.
constexpr auto close_bound = 15s;

class TimeoutTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    node_options options;
    options.limits = {{"idle_timeout_ms", 300}, {"read_timeout_ms", 300}};
    node_ = std::make_unique<node_process>(options);
    started_ = node_->start();
  }
  static void TearDownTestSuite() { node_.reset(); }
  void SetUp() override { ASSERT_TRUE(started_); }

  // After a cut-off, the node must still serve a well-behaved client.
  static void expect_still_serving() {
    http_client client{node_->port()};
    auto reply = client.request("GET", "/health");
    ASSERT_TRUE(reply) << client.error();
    EXPECT_EQ(reply->status, 200u);
  }

  static inline std::unique_ptr<node_process> node_;
  static inline ::testing::AssertionResult started_ = ::testing::AssertionFailure();
};

TEST_F(TimeoutTest, ClientStallingInTheHeadIsCutOff) {
  http_client client{node_->port()};
  ASSERT_TRUE(client.send_raw("POST /v3/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-"))
      << client.error();
  EXPECT_TRUE(client.wait_closed(close_bound)) << "the node kept a stalled head open";
  expect_still_serving();
}

TEST_F(TimeoutTest, ClientStallingInTheBodyIsCutOff) {
  http_client client{node_->port()};
  ASSERT_TRUE(client.send_raw("POST /v3/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                              R"({"type":)"))
      << client.error();
  EXPECT_TRUE(client.wait_closed(close_bound)) << "the node kept a stalled body open";
  expect_still_serving();
}

TEST_F(TimeoutTest, SilentConnectionIsCutOff) {
  http_client client{node_->port()};
  ASSERT_TRUE(client.connect()) << client.error();
  EXPECT_TRUE(client.wait_closed(close_bound)) << "the node kept a silent connection open";
}

TEST_F(TimeoutTest, IdleKeptAliveConnectionIsClosedAfterIdleTimeout) {
  http_client client{node_->port()};
  auto reply = client.request("GET", "/health");
  ASSERT_TRUE(reply) << client.error();
  EXPECT_EQ(reply->status, 200u);
  EXPECT_TRUE(reply->keep_alive);
  EXPECT_TRUE(client.wait_closed(close_bound)) << "the node kept an idle connection open";
  expect_still_serving();
}

class ConnectionLimitTest : public ::testing::Test {
protected:
  static constexpr std::size_t max_connections = 3;

  static void SetUpTestSuite() {
    node_options options;
    options.limits = {{"max_connections", max_connections}};
    node_ = std::make_unique<node_process>(options);
    started_ = node_->start();
  }
  static void TearDownTestSuite() { node_.reset(); }
  void SetUp() override { ASSERT_TRUE(started_); }

  // A connection the node serves, once the connections of earlier clients
  // (start()'s readiness probe among them) are gone: a fresh client may be
  // refused while the node has not yet seen an earlier client's close.
  static std::unique_ptr<http_client> served_client() {
    std::unique_ptr<http_client> client;
    eventually(
        [&] {
          client = std::make_unique<http_client>(node_->port());
          auto reply = client->request("GET", "/health");
          return reply && reply->status == 200 && client->is_open();
        },
        20s);
    return client;
  }

  static inline std::unique_ptr<node_process> node_;
  static inline ::testing::AssertionResult started_ = ::testing::AssertionFailure();
};

TEST_F(ConnectionLimitTest, ConnectionsBeyondTheLimitAreRefusedNotQueued) {
  std::vector<std::unique_ptr<http_client>> held;
  for (std::size_t i = 0; i < max_connections; ++i) {
    held.push_back(served_client());
    ASSERT_TRUE(held.back()->is_open()) << "connection " << i << ": " << held.back()->error();
  }

  // Each connection beyond the cap gets a 503 problem or is closed, at once;
  // none waits for a slot.
  std::vector<std::unique_ptr<http_client>> extra;
  for (int i = 0; i < 8; ++i) {
    extra.push_back(std::make_unique<http_client>(node_->port(), 15s));
    ASSERT_TRUE(extra.back()->connect()) << extra.back()->error();
  }
  for (std::size_t i = 0; i < extra.size(); ++i) {
    auto& client = *extra[i];
    auto reply = client.read_reply();
    if (reply) {
      EXPECT_TRUE(is_problem(*reply, 503, "overloaded")) << "extra connection " << i;
      EXPECT_FALSE(reply->header("Retry-After").empty());
      EXPECT_FALSE(reply->keep_alive);
      EXPECT_TRUE(client.wait_closed(close_bound));
    } else {
      EXPECT_FALSE(client.is_open())
          << "extra connection " << i << " neither answered nor closed: " << client.error();
    }
  }

  // The held connections are still served.
  for (auto& client : held) {
    auto reply = client->post("/v3/tasks", R"({"type":"echo"})");
    ASSERT_TRUE(reply) << client->error();
    EXPECT_EQ(reply->status, 200u);
  }

  // Once one closes, a new client gets its slot.
  held.front()->close();
  auto next = served_client();
  EXPECT_TRUE(next->is_open()) << next->error();
}

// Regression: when accept() failed with EMFILE the node retried at once,
// spinning a core and writing a log line per try. It now pauses, and serves
// again once descriptors are free.
TEST(DescriptorLimitTest, RunningOutOfDescriptorsPausesAcceptingAndRecovers) {
  GTEST_SKIP() << "disabled: under RLIMIT_NOFILE=96 the node now hits a UBSan report inside a CAF "
                  "message (tuple_vals, invalid vptr) and does not recover; open bug, see the "
                  "closing note of 2026-11-28";
  node_options options;
  options.max_open_files = 96;
  node_process node{options};
  ASSERT_TRUE(node.start());
  std::vector<std::unique_ptr<http_client>> held;
  for (int i = 0; i < 120; ++i) {
    held.push_back(std::make_unique<http_client>(node.port(), 2s));
    if (!held.back()->connect())
      break;
  }
  ASSERT_TRUE(eventually([&] { return !node.log_events("accept_failed").empty(); }, 20s))
      << "the node never ran out of descriptors";
  // An observation window, not a synchronisation: a spinning accept loop logs
  // thousands of lines in it, the paused one a handful.
  std::this_thread::sleep_for(500ms);
  EXPECT_LT(node.log_events("accept_failed").size(), 200u);
  held.clear();
  EXPECT_TRUE(eventually(
      [&] {
        http_client client{node.port(), 2s};
        auto reply = client.request("GET", "/health");
        return reply && reply->status == 200;
      },
      20s));
}

} // namespace
} // namespace nzl::test
