// The node's wiring of the analytics (actors/analytics/manifest_options):
// /metrics' cluster extras (region up, peer states, queue depths) and the
// regions region_down rules see, from a cluster's status; bad manifest
// sections stop the node with the field named.
#include "actors/analytics/manifest_options.hpp"
#include "analytics/aggregator.hpp"
#include "analytics/name_table.hpp"
#include "analytics/prometheus.hpp"
#include "cluster/cluster_control.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace nzl::actors::analytics {
namespace {

using nlohmann::json;

// A cluster of two regions as GET /v3/cluster shows it: eu-west is down.
class fake_cluster : public nzl::cluster::cluster_control {
public:
  json status() const override {
    return json::parse(R"({"regions":[
      {"name":"us-east","state":"up","nodes":[
        {"node":"n-us","state":"up","load":{"queue_depth":7}}]},
      {"name":"eu-west","state":"down","nodes":[{"node":"n-eu","state":"down"}]}]})");
  }
  void failover(std::string, std::string, json_handler) override {}
  void failback(std::string, json_handler) override {}
};

config::manifest manifest_with(const json& analytics) {
  json doc{{"version", 1},
           {"cluster", {{"name", "t"}}},
           {"regions", json::array({{{"name", "us-east"},
                                     {"http", {{"host", "127.0.0.1"}, {"port", 0}}},
                                     {"cluster", {{"host", "127.0.0.1"}, {"port", 0}}}}})}};
  if (!analytics.is_null())
    doc["analytics"] = analytics;
  auto m = config::parse_manifest(doc);
  EXPECT_TRUE(m) << (m ? "" : m.err().detail);
  return m ? *m : config::manifest{};
}

TEST(AnalyticsWiringTest, ClusterExtrasNameRegionsPeersAndQueueDepths) {
  fake_cluster cluster;
  auto o = options_from_manifest(manifest_with(nullptr), "us-east", {}, nullptr, &cluster, {});
  ASSERT_TRUE(o) << o.err().detail;
  ASSERT_TRUE(o->regions_down);
  EXPECT_EQ(o->regions_down(), std::vector<std::string>{"eu-west"});
  ASSERT_TRUE(o->extra_metrics);
  nzl::analytics::name_table types, regions, keys;
  nzl::analytics::aggregator agg{types, regions, keys};
  const auto text = nzl::analytics::render_metrics(agg, nullptr, o->extra_metrics());
  for (const char* line :
       {"nzl_cluster_region_up{region=\"us-east\"} 1\n",
        "nzl_cluster_region_up{region=\"eu-west\"} 0\n",
        "nzl_cluster_peer_state{region=\"us-east\",node=\"n-us\",state=\"up\"} 1\n",
        "nzl_cluster_peer_state{region=\"eu-west\",node=\"n-eu\",state=\"down\"} 1\n",
        "nzl_cluster_queue_depth{region=\"us-east\",node=\"n-us\"} 7\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;

  if (std::system("command -v promtool > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "promtool not installed (apt-get install prometheus)";
  const auto path = std::filesystem::temp_directory_path() /
                    ("nzl-wiring-" + std::to_string(::getpid()) + ".txt");
  std::ofstream{path} << text;
  const auto cmd = "promtool check metrics < " + path.string() + " > /dev/null 2>&1";
  const int status = std::system(cmd.c_str());
  std::filesystem::remove(path);
  EXPECT_EQ(status, 0) << text;
}

TEST(AnalyticsWiringTest, SingleNodeHasNoClusterExtras) {
  auto o = options_from_manifest(manifest_with(nullptr), "solo", {}, nullptr, nullptr, {});
  ASSERT_TRUE(o) << o.err().detail;
  EXPECT_FALSE(o->extra_metrics);
  EXPECT_FALSE(o->regions_down);
  EXPECT_EQ(o->node, "solo");
}

TEST(AnalyticsWiringTest, BadSectionsNameTheirField) {
  auto bad_rule = options_from_manifest(
      manifest_with(
          {{"alerts", json::array({{{"name", "x"}, {"kind", "region_down"}, {"region", "a"}},
                                   {{"name", "x"}, {"kind", "region_down"}, {"region", "b"}}})}}),
      "n", {}, nullptr, nullptr, {});
  ASSERT_FALSE(bad_rule);
  EXPECT_NE(bad_rule.err().detail.find("/analytics/alerts"), std::string::npos)
      << bad_rule.err().detail;
  auto webhook_without_webhooks = options_from_manifest(
      manifest_with({{"alert_webhook", "http://127.0.0.1:9/hook"}}), "n", {}, nullptr, nullptr, {});
  ASSERT_FALSE(webhook_without_webhooks);
  EXPECT_NE(webhook_without_webhooks.err().detail.find("webhooks.enabled"), std::string::npos);
}

} // namespace
} // namespace nzl::actors::analytics
