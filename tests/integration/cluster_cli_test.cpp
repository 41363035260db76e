// `cloudagent status`, `failover` and `failback` against a real two-region
// cluster on loopback (issue 5): the table, --json, the drain seen from the
// other node, and the exit codes of a refusal and of a dead node. Every wait
// is a bounded poll of a state; no timing is asserted.
#include "tests/support/cluster_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/poll.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <sys/wait.h>

namespace nzl::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

struct cli_run {
  int exit_code = -1;
  std::string output; ///< stdout and stderr
};

// Runs the cloudagent binary against node `port` with the test admin key.
cli_run cloudagent(std::uint16_t port, const std::string& args) {
  ::setenv("NZL_API_KEY", std::string{test_admin_key}.c_str(), 1);
  const std::string command = std::string{NZL_CLOUDAGENT} +
                              " --node http://127.0.0.1:" + std::to_string(port) +
                              " --timeout-ms 5000 " + args + " 2>&1";
  cli_run r;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr)
    return r;
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe))
    r.output += buf;
  int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// The status table's line for `region` (empty if none).
std::string line_of(const std::string& table, const std::string& region) {
  std::size_t at = 0;
  while (at < table.size()) {
    auto end = table.find('\n', at);
    auto line = table.substr(at, end == std::string::npos ? std::string::npos : end - at);
    if (line.rfind(region + " ", 0) == 0)
      return line;
    if (end == std::string::npos)
      break;
    at = end + 1;
  }
  return {};
}

class ClusterCliTest : public ::testing::Test {
protected:
  ClusterCliTest()
      : cluster_({"us-east", "eu-west"},
                 json{{"routing", {{"default", "us-east"}, {"countries", {{"FR", "eu-west"}}}}}}) {}

  void SetUp() override {
    for (std::size_t i = 0; i < cluster_.size(); ++i)
      ASSERT_TRUE(cluster_.node(i).start());
    // Both nodes see both regions up.
    ASSERT_TRUE(eventually(
        [&] {
          for (std::size_t i = 0; i < cluster_.size(); ++i) {
            auto r = cloudagent(cluster_.http_port(i), "status --all-regions");
            if (r.exit_code != 0)
              return false;
            for (const char* region : {"us-east", "eu-west"})
              if (line_of(r.output, region).find(" up ") == std::string::npos)
                return false;
          }
          return true;
        },
        30s))
        << cloudagent(cluster_.http_port(0), "status --all-regions").output;
  }

  cluster_process cluster_;
};

TEST_F(ClusterCliTest, StatusShowsThisNodeOrEveryRegion) {
  auto self = cloudagent(cluster_.http_port(0), "status");
  ASSERT_EQ(self.exit_code, 0) << self.output;
  EXPECT_EQ(self.output.rfind("REGION", 0), 0u) << self.output;
  EXPECT_NE(line_of(self.output, "us-east").find("self"), std::string::npos) << self.output;
  EXPECT_EQ(line_of(self.output, "eu-west"), "") << self.output;

  auto all = cloudagent(cluster_.http_port(0), "status --all-regions");
  ASSERT_EQ(all.exit_code, 0) << all.output;
  EXPECT_NE(line_of(all.output, "eu-west").find("ms ago"), std::string::npos) << all.output;

  auto doc = cloudagent(cluster_.http_port(1), "status --all-regions --json");
  ASSERT_EQ(doc.exit_code, 0) << doc.output;
  auto parsed = json::parse(doc.output, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << doc.output;
  EXPECT_EQ(parsed["region"], "eu-west");
  EXPECT_EQ(parsed["regions"].size(), 2u);
}

TEST_F(ClusterCliTest, FailoverDrainsTheRegionAndFailbackServesItAgain) {
  auto f = cloudagent(cluster_.http_port(0), "failover --from eu-west --to us-east");
  ASSERT_EQ(f.exit_code, 0) << f.output;
  EXPECT_NE(f.output.find("eu-west"), std::string::npos) << f.output;
  EXPECT_NE(f.output.find("is drained; its traffic goes to us-east"), std::string::npos)
      << f.output;
  // The drain reaches node 0 with the next heartbeat.
  EXPECT_TRUE(eventually(
      [&] {
        auto s = cloudagent(cluster_.http_port(0), "status --all-regions");
        return line_of(s.output, "eu-west").find("yes -> us-east") != std::string::npos;
      },
      20s))
      << cloudagent(cluster_.http_port(0), "status --all-regions").output;
  // And French traffic goes to us-east.
  http_client c{cluster_.http_port(0)};
  EXPECT_TRUE(eventually(
      [&] {
        auto r = c.post("/v3/tasks", R"({"type":"echo","payload":{}})", {{"CF-IPCountry", "FR"}});
        return r && r->status == 200 && r->json()["region"] == "us-east";
      },
      20s));

  auto b = cloudagent(cluster_.http_port(0), "failback --region eu-west");
  ASSERT_EQ(b.exit_code, 0) << b.output;
  EXPECT_NE(b.output.find("serves again"), std::string::npos) << b.output;
  EXPECT_TRUE(eventually(
      [&] {
        auto s = cloudagent(cluster_.http_port(0), "status --all-regions");
        auto line = line_of(s.output, "eu-west");
        return !line.empty() && line.find("yes") == std::string::npos;
      },
      20s))
      << cloudagent(cluster_.http_port(0), "status --all-regions").output;
}

TEST_F(ClusterCliTest, RefusalsAndADeadNodeHaveTheirExitCodes) {
  auto unknown = cloudagent(cluster_.http_port(0), "failover --from mars");
  EXPECT_EQ(unknown.exit_code, 1) << unknown.output;
  EXPECT_NE(unknown.output.find("mars"), std::string::npos) << unknown.output;
  auto usage = cloudagent(cluster_.http_port(0), "failback");
  EXPECT_EQ(usage.exit_code, 2) << usage.output;
  const auto port = cluster_.http_port(1);
  ASSERT_TRUE(cluster_.node(1).kill_hard());
  auto dead = cloudagent(port, "status");
  EXPECT_EQ(dead.exit_code, 3) << dead.output;
  // The survivor reports the dead region.
  EXPECT_TRUE(eventually(
      [&] {
        auto s = cloudagent(cluster_.http_port(0), "status --all-regions");
        return s.exit_code == 0 && line_of(s.output, "eu-west").find("down") != std::string::npos;
      },
      20s))
      << cloudagent(cluster_.http_port(0), "status --all-regions").output;
}

} // namespace
} // namespace nzl::test
