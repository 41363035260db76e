// cloudagent status, failover and failback, and the issue 11 spellings
// (`report --format`, `monitor --alerts`), against the fake node.
#include "apps/cloudagent/cli.hpp"
#include "apps/cloudagent/commands/analytics_format.hpp"
#include "tests/unit/cli/child_process.hpp"
#include "tests/unit/cli/fake_node.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace nzl::cli::testing {
namespace {

using json = nlohmann::json;

constexpr const char* admin_key = "nzk_admin_0123456789abcdef";

// GET /v3/cluster of node n-us in a two-region cluster, eu-west drained.
const char* cluster_doc = R"({
  "cluster": "test", "node": "n-us", "region": "us-east", "protocol_version": 1,
  "balancing": "least_loaded", "tls": false,
  "regions": [
    {"name": "us-east", "state": "up", "nodes": [
      {"node": "n-us", "self": true, "state": "up", "drained": false, "redirect": "",
       "last_heartbeat_ms_ago": 0, "rtt_ms": 0,
       "load": {"in_flight": 3, "queue_depth": 7, "p95_ms": 1.5}}]},
    {"name": "eu-west", "state": "drained", "nodes": [
      {"node": "n-eu", "self": false, "state": "up", "drained": true, "redirect": "us-east",
       "last_heartbeat_ms_ago": 120, "rtt_ms": 0.42, "weight": 1,
       "load": {"in_flight": 0, "queue_depth": 0, "p95_ms": 0}}]},
    {"name": "asia-east", "state": "down", "nodes": []}
  ]})";

class CliClusterCommandsTest : public ::testing::Test {
protected:
  std::map<std::string, std::string> env() const {
    return {{"NZL_NODE", node_.url()}, {"NZL_API_KEY", admin_key}};
  }
  child_result run(const std::vector<std::string>& args) { return run_cli(args, env()); }

  fake_node node_;
};

TEST_F(CliClusterCommandsTest, StatusPrintsThisNodesLine) {
  node_.answer("GET /v3/cluster", {200, cluster_doc});
  auto r = run({"status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "REGION   NODE  STATE  LAST HEARTBEAT  RTT  IN FLIGHT  QUEUE DEPTH  DRAINED\n"
                   "us-east  n-us  up     self            -    3          7            no\n");
  EXPECT_EQ(node_.requests().at(0).target, "/v3/cluster");
}

TEST_F(CliClusterCommandsTest, StatusAllRegionsPrintsEveryNodeAligned) {
  node_.answer("GET /v3/cluster", {200, cluster_doc});
  auto r = run({"status", "--all-regions"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "cluster test, seen from n-us (us-east)\n"
            "REGION     NODE  STATE  LAST HEARTBEAT  RTT      IN FLIGHT  QUEUE DEPTH  DRAINED\n"
            "us-east    n-us  up     self            -        3          7            no\n"
            "eu-west    n-eu  up     120 ms ago      0.42 ms  0          0            yes -> "
            "us-east\n"
            "asia-east  -     down   -               -        -          -            -\n");
}

TEST_F(CliClusterCommandsTest, StatusJsonPrintsTheDocumentAsIs) {
  node_.answer("GET /v3/cluster", {200, cluster_doc});
  auto r = run({"status", "--all-regions", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out), json::parse(cluster_doc));
}

TEST_F(CliClusterCommandsTest, StatusOnASingleNodeIsTheNodesError) {
  node_.answer("GET /v3/cluster", {404,
                                   R"({"type":"urn:x","title":"Not Found","status":404,)"
                                   R"("detail":"this node is not part of a cluster"})",
                                   "application/problem+json"});
  auto r = run({"status"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not part of a cluster"), std::string::npos) << r.err;
}

TEST_F(CliClusterCommandsTest, FailoverPostsFromAndTo) {
  node_.answer("POST /v3/admin/cluster/failover",
               {200, R"({"region":"eu-west","drained":true,"redirect":"us-east","node":"n-eu"})"});
  auto r = run({"failover", "--from", "eu-west", "--to", "us-east"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto reqs = node_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(json::parse(reqs[0].body), (json{{"from", "eu-west"}, {"to", "us-east"}}));
  EXPECT_EQ(r.out, "Region eu-west (node n-eu) is drained; its traffic goes to us-east\n");
}

TEST_F(CliClusterCommandsTest, FailoverWithoutToUsesTheFallbacks) {
  node_.answer("POST /v3/admin/cluster/failover",
               {200, R"({"region":"eu-west","drained":true,"redirect":"","node":"n-eu"})"});
  auto r = run({"failover", "--from", "eu-west"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(node_.requests().at(0).body), (json{{"from", "eu-west"}}));
  EXPECT_NE(r.out.find("its fallbacks"), std::string::npos) << r.out;
}

TEST_F(CliClusterCommandsTest, FailbackPostsTheRegion) {
  node_.answer("POST /v3/admin/cluster/failback",
               {200, R"({"region":"eu-west","drained":false,"redirect":"","node":"n-eu"})"});
  auto r = run({"failback", "--region", "eu-west"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(node_.requests().at(0).body), (json{{"region", "eu-west"}}));
  EXPECT_EQ(r.out, "Region eu-west (node n-eu) serves again\n");
}

TEST_F(CliClusterCommandsTest, UnknownRegionIsTheNodesErrorExitOne) {
  node_.answer("POST /v3/admin/cluster/failover",
               {400,
                R"({"type":"urn:x","title":"Bad Request","status":400,)"
                R"("detail":"no region named 'mars'"})",
                "application/problem+json"});
  auto r = run({"failover", "--from", "mars"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no region named 'mars'"), std::string::npos) << r.err;
}

TEST_F(CliClusterCommandsTest, UnreachableNodeExitsThree) {
  auto r = run_cli({"--timeout-ms", "2000", "status"},
                   {{"NZL_NODE", "http://127.0.0.1:1"}, {"NZL_API_KEY", admin_key}});
  EXPECT_EQ(r.exit_code, 3) << r.err;
}

TEST_F(CliClusterCommandsTest, ReportFormatAndMonitorAlertsAsIssue11SpellsThem) {
  node_.answer("GET /v3/analytics/report", {200, R"({"node":"n","window":"5m","groups":[]})"});
  auto report = run({"report", "--format", "json", "--window", "5m"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_EQ(node_.requests().at(0).target, "/v3/analytics/report?format=json&window=5m");
  auto alias = run({"report", "show", "--format", "json"});
  ASSERT_EQ(alias.exit_code, 0) << alias.err;

  node_.answer("GET /v3/analytics/alerts",
               {200, R"({"firing":[],"events":[{"at":"t","state":"firing","rule":"r",)"
                     R"("kind":"error_rate","value":1,"threshold":0.5}],"last_seq":1})"});
  auto monitor = run({"monitor", "--alerts", "--once"});
  ASSERT_EQ(monitor.exit_code, 0) << monitor.err;
  EXPECT_NE(monitor.out.find("firing  r (error_rate)"), std::string::npos) << monitor.out;
  auto old = run({"monitor", "alerts", "--once"});
  EXPECT_EQ(old.exit_code, 0) << old.err;
}

// The summary table rounds (it printed "0.8571428571428571"); CSV comes
// through as the node sent it; a resolved alert without data prints "-".
TEST_F(CliClusterCommandsTest, ReportTableRoundsAndCsvPassesThrough) {
  node_.answer("GET /v3/analytics/report",
               {200, R"({"node":"n","window":"1h","groups":[{"type":"echo","region":"eu",)"
                     R"("count":7,"errors":6,"error_rate":0.8571428571428571,"p50_ms":1.25,)"
                     R"("p95_ms":198.6554,"p99_ms":202.7515}]})"});
  // Answers for one route are used in order: queue the CSV one now.
  node_.answer("GET /v3/analytics/report",
               {200, "type,region,count\r\necho,eu,7\r\n", "text/csv; charset=utf-8"});
  auto table = run({"report"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("0.8571 "), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("198.655"), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find("0.85714285"), std::string::npos) << table.out;

  auto csv = run({"report", "--format", "csv", "--window", "24h"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_NE(csv.out.find("echo,eu,7"), std::string::npos) << csv.out;
  EXPECT_EQ(node_.requests().back().target, "/v3/analytics/report?format=csv&window=24h");

  node_.answer("GET /v3/analytics/alerts",
               {200, R"({"firing":[],"events":[{"at":"t","state":"resolved","rule":"r",)"
                     R"("kind":"p95_over","value":null,"threshold":300}],"last_seq":2})"});
  auto monitor = run({"monitor", "--alerts", "--once"});
  ASSERT_EQ(monitor.exit_code, 0) << monitor.err;
  EXPECT_NE(monitor.out.find("resolved  r (p95_over) value - threshold 300"), std::string::npos)
      << monitor.out;
}

struct ran {
  int code;
  std::string out;
  std::string err;
};

ran run_in_process(std::vector<std::string> args) {
  std::ostringstream out;
  std::ostringstream err;
  environment env;
  env.node = "http://127.0.0.1:1"; // a test that reached it would exit 3
  int code = nzl::cli::run(args, env, out, err);
  return {code, out.str(), err.str()};
}

TEST(CliClusterUsageTest, BadOrMissingRegionsAreUsageErrors) {
  EXPECT_EQ(run_in_process({"failover"}).code, 2);
  EXPECT_EQ(run_in_process({"failover", "--to", "eu-west"}).code, 2);
  EXPECT_EQ(run_in_process({"failover", "--from", "eu west"}).code, 2);
  EXPECT_EQ(run_in_process({"failover", "--from", "a", "--to", "a"}).code, 2);
  EXPECT_EQ(run_in_process({"failover", "--from", std::string(64, 'a')}).code, 2);
  EXPECT_EQ(run_in_process({"failback"}).code, 2);
  EXPECT_EQ(run_in_process({"failback", "--region", "../x"}).code, 2);
  EXPECT_EQ(run_in_process({"status", "extra"}).code, 2);
  EXPECT_EQ(run_in_process({"status", "--bogus"}).code, 2);
  EXPECT_EQ(run_in_process({"monitor"}).code, 2);
  EXPECT_EQ(run_in_process({"monitor", "--alerts", "--live"}).code, 2);
  EXPECT_EQ(run_in_process({"monitor", "--alerts", "--window", "1m"}).code, 2);
  EXPECT_EQ(run_in_process({"report", "--format", "pdf"}).code, 2);
}

// Regression: a well-formed but out-of-range --window (0m, 25h) was sent and
// came back as the node's 400 (exit 1); it is a usage error, nothing sent.
TEST(CliClusterUsageTest, AnalyticsWindowOutOfRangeIsAUsageError) {
  for (const char* w : {"0m", "25h", "1441m", "86401s", "7d", "m", "1.5h", "-1h"}) {
    EXPECT_EQ(run_in_process({"report", "--window", w}).code, 2) << w;
    EXPECT_EQ(run_in_process({"monitor", "--live", "--once", "--window", w}).code, 2) << w;
  }
  EXPECT_TRUE(nzl::cli::valid_analytics_window("24h"));
  EXPECT_TRUE(nzl::cli::valid_analytics_window("1440m"));
  EXPECT_TRUE(nzl::cli::valid_analytics_window("30s"));
  EXPECT_FALSE(nzl::cli::valid_analytics_window("25h"));
}

TEST(CliClusterUsageTest, HelpNamesTheNewCommands) {
  auto top = run_in_process({"--help"});
  EXPECT_EQ(top.code, 0);
  for (const char* g : {"status", "failover", "failback", "report", "monitor"})
    EXPECT_NE(top.out.find(g), std::string::npos) << g;
  auto status = run_in_process({"status", "--help"});
  EXPECT_EQ(status.code, 0);
  EXPECT_NE(status.out.find("usage: cloudagent status [options]"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("--all-regions"), std::string::npos);
  auto failover = run_in_process({"failover", "--help"});
  EXPECT_NE(failover.out.find("--from R"), std::string::npos) << failover.out;
  auto monitor = run_in_process({"monitor", "--help"});
  EXPECT_EQ(monitor.code, 0);
  EXPECT_NE(monitor.out.find("--alerts"), std::string::npos) << monitor.out;
  EXPECT_NE(monitor.out.find("live"), std::string::npos) << monitor.out;
}

} // namespace
} // namespace nzl::cli::testing
