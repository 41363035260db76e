// Shutdown on SIGTERM/SIGINT: requests in flight finish with 200, idle
// connections are closed, new connections are refused, and the node exits 0
// by itself. Each test owns its node (it ends it).
#include "tests/support/http_client.hpp"
#include "tests/support/node_process.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/tcp_probe.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <memory>
#include <string>
#include <vector>

namespace nzl::test {
namespace {

using namespace std::chrono_literals;

// Far above the drain time of the work a test starts (~1 s on two executor
// threads): only a node that does not exit by itself fails the wait.
constexpr auto exit_bound = 30s;

// ~0.5 s on an executor thread.
const std::string slow_task = R"({"type":"echo","payload":{"steps":5,"step_ms":100}})";

std::string raw_post(std::string_view target, std::string_view body, std::string_view id) {
  return "POST " + std::string{target} +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Request-Id: " +
         std::string{id} + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string{body};
}

class ShutdownTest : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_TRUE(node_.start()); }

  void expect_clean_stop() {
    auto stopped = node_.log_events("stopped");
    ASSERT_EQ(stopped.size(), 1u) << node_.log_text();
    EXPECT_EQ(stopped[0].value("clean", false), true) << stopped[0];
  }

  node_process node_{[] {
    node_options options;
    options.limits = {{"shutdown_deadline_ms", 20'000}};
    return options;
  }()};
};

TEST_F(ShutdownTest, InFlightRequestsCompleteThenNodeExitsZero) {
  // Regression test: before 50fda28 the io threads returned once drain()
  // closed the acceptor (no work guard), and no request in flight was ever
  // answered.
  constexpr int in_flight = 4;
  std::vector<std::unique_ptr<http_client>> clients;
  for (int i = 0; i < in_flight; ++i) {
    clients.push_back(std::make_unique<http_client>(node_.port(), 30s));
    ASSERT_TRUE(
        clients.back()->send_raw(raw_post("/v3/tasks", slow_task, "slow-" + std::to_string(i))))
        << clients.back()->error();
  }
  // An idle kept-alive connection: drain must close it.
  http_client idle{node_.port()};
  auto warm = idle.request("GET", "/health");
  ASSERT_TRUE(warm) << idle.error();
  ASSERT_TRUE(warm->keep_alive);

  // "In flight" means the node has read the request: its end of each
  // connection holds no unread byte.
  for (int i = 0; i < in_flight; ++i) {
    const auto client_port = clients[i]->local_port();
    ASSERT_TRUE(eventually(
        [&] { return server_unread_bytes(node_.port(), client_port) == std::size_t{0}; }, 20s))
        << "the node did not read request " << i;
  }

  node_.send_signal(SIGTERM);

  // New connections are refused once the listener is closed. A connection
  // accepted just before that is closed by us at once.
  EXPECT_TRUE(eventually(
      [&] {
        http_client probe{node_.port(), 5s};
        return !probe.connect();
      },
      20s))
      << "the node still accepts connections after SIGTERM";

  for (int i = 0; i < in_flight; ++i) {
    auto reply = clients[i]->read_reply();
    ASSERT_TRUE(reply) << "request " << i << ": " << clients[i]->error();
    EXPECT_EQ(reply->status, 200u) << reply->body;
    EXPECT_EQ(reply->header("X-Request-Id"), "slow-" + std::to_string(i));
    EXPECT_EQ(reply->json().value("status", ""), "completed") << reply->body;
    EXPECT_FALSE(reply->keep_alive) << "a response during drain should close the connection";
  }
  EXPECT_TRUE(idle.wait_closed(exit_bound)) << "the idle connection was not closed";

  auto status = node_.wait_exit(exit_bound);
  ASSERT_TRUE(status) << "the node did not exit after SIGTERM";
  EXPECT_EQ(*status, 0);
  expect_clean_stop();
}

TEST_F(ShutdownTest, IdleNodeExitsZeroOnSigterm) {
  node_.send_signal(SIGTERM);
  auto status = node_.wait_exit(exit_bound);
  ASSERT_TRUE(status) << "the node did not exit after SIGTERM";
  EXPECT_EQ(*status, 0);
  EXPECT_EQ(node_.log_events("draining").size(), 1u) << node_.log_text();
  expect_clean_stop();
}

TEST_F(ShutdownTest, IdleNodeExitsZeroOnSigint) {
  node_.send_signal(SIGINT);
  auto status = node_.wait_exit(exit_bound);
  ASSERT_TRUE(status) << "the node did not exit after SIGINT";
  EXPECT_EQ(*status, 0);
  expect_clean_stop();
}

} // namespace
} // namespace nzl::test
