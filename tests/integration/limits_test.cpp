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

// The connection cap follows the open-file limit. Under RLIMIT_NOFILE=96
// the node lowers its cap (and says so) so that clients can never take the
// descriptors it needs itself: connections beyond the cap get a 503 or a
// close, accept() never fails with EMFILE (which once spun a core, and which
// fails every file, pipe and socket the node opens while it lasts), and the
// node serves again once the clients go.
TEST(DescriptorLimitTest, ConnectionCapFollowsTheOpenFileLimit) {
  node_options options;
  options.max_open_files = 96;
  node_process node{options};
  ASSERT_TRUE(node.start());
  auto lowered = node.log_events("connection_cap_lowered");
  ASSERT_EQ(lowered.size(), 1u) << "the node did not lower its connection cap";
  const auto cap = lowered.front().at("cap").get<std::size_t>();
  EXPECT_EQ(lowered.front().at("open_file_limit").get<std::uint64_t>(), 96u);
  ASSERT_GT(cap, 0u);
  ASSERT_LT(cap, 96u);

  // `cap` clients are served (one may still be the readiness probe's, so
  // each is retried until the node has seen earlier closes).
  std::vector<std::unique_ptr<http_client>> held;
  for (std::size_t i = 0; i < cap; ++i) {
    std::unique_ptr<http_client> client;
    ASSERT_TRUE(eventually(
        [&] {
          client = std::make_unique<http_client>(node.port(), 5s);
          auto reply = client->request("GET", "/health");
          return reply && reply->status == 200 && client->is_open();
        },
        20s))
        << "connection " << i << " of " << cap << ": " << client->error();
    held.push_back(std::move(client));
  }
  // Twice as many again are refused, each with a 503 or a close, none kept.
  for (std::size_t i = 0; i < 2 * cap; ++i) {
    http_client extra{node.port(), 5s};
    if (!extra.connect())
      continue; // refused outright by a full backlog: also not kept
    auto reply = extra.read_reply();
    if (reply)
      EXPECT_TRUE(is_problem(*reply, 503, "overloaded")) << "extra connection " << i;
    else
      EXPECT_FALSE(extra.is_open()) << "extra connection " << i << " was kept";
  }
  EXPECT_TRUE(node.log_events("accept_failed").empty()) << "the node ran out of descriptors";

  // The held clients are still served, and once they go, new ones are.
  for (auto& client : held) {
    auto reply = client->request("GET", "/health");
    ASSERT_TRUE(reply) << client->error();
    EXPECT_EQ(reply->status, 200u);
  }
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
