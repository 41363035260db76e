// GET /v3/analytics?scope=cluster on a two-node cluster (issue 11): the
// asking node gathers the other's series over the cluster link and merges
// histograms and counters; a node that is down is listed in `missing`.
// No timing is asserted: every wait is a bounded poll.
#include "tests/support/cluster_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/poll.hpp"

#include <gtest/gtest.h>

namespace nzl::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::vector<std::string> regions{"an-a", "an-b"};

// The total task count of a summary answer (group_by empty: one group).
std::uint64_t task_count(const json& doc) {
  if (!doc.contains("groups") || doc["groups"].empty())
    return 0;
  return doc["groups"][0].value("count", std::uint64_t{0});
}

std::optional<json> summary(std::uint16_t port, const std::string& scope) {
  http_client c{port, 10s};
  auto r = c.request("GET", "/v3/analytics?window=5m&group_by=&kind=task&scope=" + scope);
  if (!r || r->status != 200)
    return std::nullopt;
  return r->json();
}

class ClusterAnalyticsIntegrationTest : public ::testing::Test {
protected:
  ClusterAnalyticsIntegrationTest() : cluster_(regions) {}
  void SetUp() override {
    for (std::size_t i = 0; i < cluster_.size(); ++i)
      ASSERT_TRUE(cluster_.node(i).start());
    ASSERT_TRUE(eventually([&] { return cluster_.every_node_sees_every_region_up(); }, 30s))
        << "the cluster did not link";
  }
  void run_tasks(std::size_t node, int n) {
    http_client c{cluster_.http_port(node), 10s};
    for (int i = 0; i < n; ++i) {
      auto r = c.post("/v3/tasks", json{{"type", "echo"}, {"payload", {{"i", i}}}}.dump());
      ASSERT_TRUE(r);
      ASSERT_EQ(r->status, 200u) << r->body;
    }
  }
  cluster_process cluster_;
};

TEST_F(ClusterAnalyticsIntegrationTest, ClusterCountIsTheSumOfTheNodes) {
  run_tasks(0, 7);
  run_tasks(1, 5);
  auto a = summary(cluster_.http_port(0), "node");
  auto b = summary(cluster_.http_port(1), "node");
  ASSERT_TRUE(a && b);
  EXPECT_GE(task_count(*a) + task_count(*b), 12u);
  auto all = summary(cluster_.http_port(0), "cluster");
  ASSERT_TRUE(all);
  EXPECT_EQ((*all)["scope"], "cluster");
  EXPECT_EQ(task_count(*all), task_count(*a) + task_count(*b)) << all->dump();
  EXPECT_EQ((*all)["partial"], false) << all->dump();
  EXPECT_EQ((*all)["nodes"], json::array({"an-a", "an-b"}));
  EXPECT_TRUE((*all)["missing"].empty());
  // Percentiles come from the merged histogram: present and ordered.
  auto g = (*all)["groups"][0];
  EXPECT_LE(g["p50_ms"].get<double>(), g["p99_ms"].get<double>());
  // The other node answers the same totals.
  auto from_b = summary(cluster_.http_port(1), "cluster");
  ASSERT_TRUE(from_b);
  EXPECT_EQ(task_count(*from_b), task_count(*all));
}

TEST_F(ClusterAnalyticsIntegrationTest, DownNodeIsListedAsMissing) {
  run_tasks(0, 3);
  ASSERT_TRUE(cluster_.node(1).kill_hard());
  std::optional<json> doc;
  ASSERT_TRUE(eventually(
      [&] {
        doc = summary(cluster_.http_port(0), "cluster");
        return doc && !(*doc)["missing"].empty();
      },
      20s))
      << (doc ? doc->dump() : "no answer");
  EXPECT_EQ((*doc)["missing"][0]["node"], "an-b");
  EXPECT_EQ((*doc)["partial"], true);
  EXPECT_EQ((*doc)["nodes"], json::array({"an-a"}));
  EXPECT_GE(task_count(*doc), 3u);
}

} // namespace
} // namespace nzl::test
