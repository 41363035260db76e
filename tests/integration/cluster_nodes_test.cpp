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
