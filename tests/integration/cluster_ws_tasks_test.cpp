// WebSocket tasks that run in another region than the session's node
// (protocol 3): the handler's progress comes back over the cluster link, and
// a cancel sent to the session's node stops the task on the node running it.
// No timing is asserted: every wait is a bounded read.
#include "tests/support/cluster_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/ws_client.hpp"

#include <gtest/gtest.h>

namespace nzl::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class ClusterWsTasksIntegrationTest : public ::testing::Test {
protected:
  ClusterWsTasksIntegrationTest() : cluster_({"wt-a", "wt-b"}) {}
  void SetUp() override {
    for (std::size_t i = 0; i < cluster_.size(); ++i)
      ASSERT_TRUE(cluster_.node(i).start());
    ASSERT_TRUE(eventually([&] { return cluster_.every_node_sees_every_region_up(); }, 30s))
        << "the cluster did not link";
  }
  // A session on wt-a, past its welcome.
  std::unique_ptr<ws_client> open_on_a() {
    auto c = std::make_unique<ws_client>();
    EXPECT_TRUE(c->connect(cluster_.http_port(0)));
    auto welcome = c->recv();
    EXPECT_TRUE(welcome && (*welcome)["type"] == "welcome");
    return c;
  }
  // An echo task pinned to wt-b.
  static json echo_on_b(const json& id, int steps, int step_ms) {
    return {{"type", "task"},
            {"id", id},
            {"task",
             {{"type", "echo"},
              {"payload", {{"steps", steps}, {"step_ms", step_ms}}},
              {"options", {{"region", "wt-b"}}}}}};
  }
  cluster_process cluster_;
};

TEST_F(ClusterWsTasksIntegrationTest, ProgressOfATaskInAnotherRegionReachesTheSession) {
  auto c = open_on_a();
  // Steps 50 ms apart: each report is past the link's 20 ms progress limit.
  ASSERT_TRUE(c->send(echo_on_b(7, 4, 50)));
  std::vector<int> percents;
  std::optional<json> last;
  while (auto m = c->recv(20s)) {
    if ((*m)["type"] == "progress") {
      EXPECT_EQ((*m)["id"], 7);
      EXPECT_EQ((*m)["stage"].get<std::string>().rfind("step ", 0), 0u) << m->dump();
      percents.push_back((*m)["percent"].get<int>());
      continue;
    }
    last = m;
    break;
  }
  ASSERT_TRUE(last) << "no answer";
  EXPECT_EQ((*last)["type"], "result") << last->dump();
  EXPECT_EQ((*last)["region"], "wt-b") << "the task did not run in the other region";
  EXPECT_EQ(percents, (std::vector<int>{25, 50, 75, 100}));
}

TEST_F(ClusterWsTasksIntegrationTest, CancelStopsATaskRunningInAnotherRegion) {
  auto c = open_on_a();
  // 1000 steps of 100 ms: without the cancel it would run into its deadline
  // (another error code), so task_cancelled proves the cancel got there.
  ASSERT_TRUE(c->send(echo_on_b("slow", 1000, 100)));
  auto first = c->recv_type("progress", 20s);
  ASSERT_TRUE(first) << "the task did not start on wt-b";
  ASSERT_TRUE(c->send({{"type", "cancel"}, {"id", "slow"}}));
  auto err = c->recv_type("error", 25s);
  ASSERT_TRUE(err) << "no answer to the cancel";
  EXPECT_EQ((*err)["id"], "slow");
  EXPECT_EQ((*err)["code"], "task_cancelled") << err->dump();

  // The session and the link still work after it.
  ASSERT_TRUE(c->send(echo_on_b("after", 1, 0)));
  auto ok = c->recv_type("result", 20s);
  ASSERT_TRUE(ok);
  EXPECT_EQ((*ok)["region"], "wt-b");
}

} // namespace
} // namespace nzl::test
