// Several nodes per region (issue 5): a manifest with two nodes in region
// r1 and one in r2. Tasks sent to r2's node for r1 (the default region)
// are spread by round robin over both nodes of r1; each node counts the
// tasks it ran in GET /v3/cluster (`served`). The command line picks a node
// by --node, and --region alone is refused for a region with two nodes.
// No timing is asserted: every wait is a bounded poll.
#include "tests/support/cluster_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/poll.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

namespace nzl::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::optional<json> cluster_doc(std::uint16_t port) {
  http_client c{port, 2s};
  auto r = c.request("GET", "/v3/cluster");
  if (!r || r->status != 200)
    return std::nullopt;
  return r->json();
}

// Every node sees every other node up.
bool all_nodes_up(cluster_process& c) {
  for (std::size_t i = 0; i < c.size(); ++i) {
    auto doc = cluster_doc(c.http_port(i));
    if (!doc)
      return false;
    std::size_t up = 0;
    for (const auto& r : (*doc)["regions"])
      for (const auto& n : r["nodes"])
        up += n["state"] == "up" ? 1 : 0;
    if (up != c.size())
      return false;
  }
  return true;
}

// How many tasks node `i` says it ran.
std::uint64_t served(cluster_process& c, std::size_t i) {
  auto doc = cluster_doc(c.http_port(i));
  if (!doc)
    return 0;
  for (const auto& r : (*doc)["regions"])
    for (const auto& n : r["nodes"])
      if (n["self"] == true)
        return n.value("served", std::uint64_t{0});
  return 0;
}

class ClusterNodesIntegrationTest : public ::testing::Test {
protected:
  ClusterNodesIntegrationTest()
      : cluster_(cluster_process::with_nodes(
            {{"r1-a", "r1"}, {"r1-b", "r1"}, {"r2", "r2"}},
            json{{"balancing", "round_robin"}, {"routing", {{"default", "r1"}}}})) {}
  void SetUp() override {
    for (std::size_t i = 0; i < cluster_.size(); ++i)
      ASSERT_TRUE(cluster_.node(i).start());
    ASSERT_TRUE(eventually([&] { return all_nodes_up(cluster_); }, 30s))
        << "the nodes did not link: " << cluster_doc(cluster_.http_port(0)).value_or(json{}).dump();
  }
  cluster_process cluster_;
};

TEST_F(ClusterNodesIntegrationTest, TasksSpreadOverBothNodesOfTheRegion) {
  constexpr int tasks = 10;
  http_client c{cluster_.http_port(2), 10s}; // r2's node
  for (int i = 0; i < tasks; ++i) {
    auto r = c.post("/v3/tasks", json{{"type", "echo"}, {"payload", {{"i", i}}}}.dump());
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200u) << r->body;
    EXPECT_EQ(r->json()["region"], "r1") << r->body;
  }
  auto a = served(cluster_, 0);
  auto b = served(cluster_, 1);
  EXPECT_EQ(a + b, static_cast<std::uint64_t>(tasks));
  // Round robin over two nodes: an even split.
  EXPECT_EQ(a, static_cast<std::uint64_t>(tasks / 2));
  EXPECT_EQ(b, static_cast<std::uint64_t>(tasks / 2));
  EXPECT_EQ(served(cluster_, 2), 0u);
}

// Every answer names the node that ran the task; round robin uses both.
TEST_F(ClusterNodesIntegrationTest, AnswersNameTheNodeThatRanTheTask) {
  http_client c{cluster_.http_port(2), 10s};
  std::set<std::string> nodes;
  for (int i = 0; i < 4; ++i) {
    auto r = c.post("/v3/tasks", json{{"type", "echo"}, {"payload", {{"i", i}}}}.dump());
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200u) << r->body;
    EXPECT_EQ(r->header("X-Served-By-Region"), "r1");
    nodes.insert(r->header("X-Served-By-Node"));
  }
  EXPECT_EQ(nodes, (std::set<std::string>{"r1-a", "r1-b"}));
  auto local = c.post(
      "/v3/tasks",
      json{{"type", "echo"}, {"payload", json::object()}, {"options", {{"region", "r2"}}}}.dump());
  ASSERT_TRUE(local);
  EXPECT_EQ(local->header("X-Served-By-Node"), "r2") << local->body;
}

// A durable task's id names the node that stores it, so every node, the
// other node of its own region included, reaches it.
TEST_F(ClusterNodesIntegrationTest, DurableTaskIdNamesItsNodeAndEveryNodeReachesIt) {
  http_client c{cluster_.http_port(2), 10s};
  std::set<std::string> homes;
  std::vector<std::string> ids;
  for (int i = 0; i < 2; ++i) {
    auto r = c.post(
        "/v3/tasks",
        json{{"type", "echo"}, {"payload", {{"i", i}}}, {"options", {{"async", true}}}}.dump());
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 202u) << r->body;
    auto id = r->json()["id"].get<std::string>();
    homes.insert(id.substr(0, id.find('.')));
    ids.push_back(id);
  }
  EXPECT_EQ(homes, (std::set<std::string>{"r1-a", "r1-b"}));
  for (const auto& id : ids)
    for (std::size_t i = 0; i < cluster_.size(); ++i) {
      http_client n{cluster_.http_port(i), 10s};
      std::string last;
      EXPECT_TRUE(eventually(
          [&] {
            auto g = n.request("GET", "/v3/tasks/" + id);
            last = g ? std::to_string(g->status) + " " + g->body : n.error();
            return g && g->status == 200 && g->json().value("status", "") == "completed";
          },
          20s))
          << id << " from node " << i << ": " << last;
    }
}

// Failover of a region drains each of its nodes, and failback undrains them.
TEST_F(ClusterNodesIntegrationTest, FailoverDrainsEveryNodeOfTheRegion) {
  http_client c{cluster_.http_port(2), 10s};
  auto f = c.post("/v3/admin/cluster/failover", R"({"from":"r1","to":"r2"})");
  ASSERT_TRUE(f);
  ASSERT_EQ(f->status, 200u) << f->body;
  std::set<std::string> drained;
  const auto answer = f->json();
  for (const auto& n : answer["nodes"])
    drained.insert(n.value("node", ""));
  EXPECT_EQ(drained, (std::set<std::string>{"r1-a", "r1-b"})) << f->body;
  for (int i = 0; i < 4; ++i) {
    std::string last;
    EXPECT_TRUE(eventually(
        [&] {
          auto r = c.post("/v3/tasks", json{{"type", "echo"}, {"payload", {{"i", i}}}}.dump());
          last = r ? r->body : c.error();
          return r && r->status == 200 && r->json()["region"] == "r2";
        },
        20s))
        << last;
  }
  auto b = c.post("/v3/admin/cluster/failback", R"({"region":"r1"})");
  ASSERT_TRUE(b);
  ASSERT_EQ(b->status, 200u) << b->body;
  EXPECT_EQ(b->json()["nodes"].size(), 2u) << b->body;
  EXPECT_TRUE(eventually(
      [&] {
        auto r = c.post("/v3/tasks", json{{"type", "echo"}, {"payload", json::object()}}.dump());
        return r && r->status == 200 && r->json()["region"] == "r1";
      },
      20s));
}

TEST_F(ClusterNodesIntegrationTest, StatusListsBothNodesUnderTheirRegion) {
  auto doc = cluster_doc(cluster_.http_port(2));
  ASSERT_TRUE(doc);
  json r1;
  for (const auto& r : (*doc)["regions"])
    if (r["name"] == "r1")
      r1 = r;
  ASSERT_FALSE(r1.is_null()) << doc->dump();
  ASSERT_EQ(r1["nodes"].size(), 2u);
  EXPECT_EQ(r1["nodes"][0]["node"], "r1-a");
  EXPECT_EQ(r1["nodes"][1]["node"], "r1-b");
  EXPECT_EQ(r1["state"], "up");
}

TEST(ClusterNodesCliTest, RegionWithTwoNodesNeedsNode) {
  auto c = cluster_process::with_nodes({{"r1-a", "r1"}, {"r1-b", "r1"}});
  temp_dir dir;
  auto manifest = dir.path() / "manifest.json";
  {
    std::ofstream out{manifest};
    out << c.manifest().dump();
  }
  auto o = run_node_cli({"--manifest", manifest.string(), "--region", "r1", "--list-regions"});
  ASSERT_TRUE(o.exit_status);
  EXPECT_EQ(*o.exit_status, 0) << o.output; // listing needs no node
  auto refused = run_node_cli({"--manifest", manifest.string(), "--region", "r1"});
  ASSERT_TRUE(refused.exit_status);
  EXPECT_EQ(*refused.exit_status, 2) << refused.output;
  EXPECT_NE(refused.output.find("choose one with --node"), std::string::npos) << refused.output;
  auto unknown = run_node_cli({"--manifest", manifest.string(), "--node", "r9"});
  ASSERT_TRUE(unknown.exit_status);
  EXPECT_EQ(*unknown.exit_status, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("unknown node 'r9'"), std::string::npos) << unknown.output;
}

} // namespace
} // namespace nzl::test
