// Several nodes per region in the manifest (issue 5): which entry a process
// runs (--node / --region) and the peers and regions its cluster gets.
#include "actors/cluster/manifest_options.hpp"
#include "config/manifest.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace nzl::actors::cluster {
namespace {

using nlohmann::json;

json entry(const std::string& region, const std::string& node, int port) {
  json e{{"name", region},
         {"http", {{"host", "127.0.0.1"}, {"port", port}}},
         {"cluster", {{"host", "127.0.0.1"}, {"port", port + 1}}}};
  if (!node.empty())
    e["node"] = node;
  return e;
}

config::manifest two_plus_one() {
  json doc{{"version", 1},
           {"cluster", {{"name", "c"}}},
           {"regions", json::array({entry("r1", "r1-a", 20000), entry("r1", "r1-b", 20010),
                                    entry("r2", "", 20020)})}};
  auto m = config::parse_manifest(doc);
  EXPECT_TRUE(m) << (m ? "" : m.err().detail);
  return m ? *m : config::manifest{};
}

TEST(ClusterNodesManifestTest, NodeNamesDefaultToTheRegionAndMustBeUnique) {
  auto m = two_plus_one();
  ASSERT_EQ(m.regions.size(), 3u);
  EXPECT_EQ(m.regions[2].node, "r2");
  json dup{{"version", 1},
           {"cluster", {{"name", "c"}}},
           {"regions", json::array({entry("r1", "", 20000), entry("r1", "", 20010)})}};
  auto bad = config::parse_manifest(dup);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.err().detail.find("used twice"), std::string::npos) << bad.err().detail;
}

TEST(ClusterNodesManifestTest, SelectsByNodeOrByARegionWithOneNode) {
  auto m = two_plus_one();
  auto a = select_node(m, "r1-b", "");
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)->node, "r1-b");
  auto r2 = select_node(m, "", "r2");
  ASSERT_TRUE(r2);
  EXPECT_EQ((*r2)->node, "r2");
  auto by_node_name = select_node(m, "", "r1-a");
  ASSERT_TRUE(by_node_name);
  EXPECT_EQ((*by_node_name)->name, "r1");
  auto several = select_node(m, "", "r1");
  ASSERT_FALSE(several);
  EXPECT_NE(several.err().detail.find("choose one with --node"), std::string::npos);
  EXPECT_FALSE(select_node(m, "r1-a", "r2")); // node of another region
  EXPECT_FALSE(select_node(m, "nope", ""));
  EXPECT_FALSE(select_node(m, "", "nope"));
}

TEST(ClusterNodesManifestTest, EveryOtherNodeIsAPeerAndRegionsAreListedOnce) {
  auto m = two_plus_one();
  auto self = select_node(m, "r1-a", "");
  ASSERT_TRUE(self);
  auto o = options_from_manifest(m, **self, std::make_shared<plugins::handler_registry>());
  ASSERT_TRUE(o) << o.err().detail;
  EXPECT_EQ(o->node, "r1-a");
  EXPECT_EQ(o->region, "r1");
  ASSERT_EQ(o->peers.size(), 2u);
  EXPECT_EQ(o->peers[0].node, "r1-b");
  EXPECT_EQ(o->peers[0].region, "r1");
  EXPECT_EQ(o->peers[1].node, "r2");
  EXPECT_EQ(o->routing.regions(), (std::vector<std::string>{"r1", "r2"}));
}

} // namespace
} // namespace nzl::actors::cluster
