// cloudagent failover and failback in a region with several nodes, some of
// which the node could not reach (issue 5 audit): the line names every node
// that changed and stderr warns about the ones that did not.
#include "tests/unit/cli/child_process.hpp"
#include "tests/unit/cli/fake_node.hpp"

#include <gtest/gtest.h>

namespace nzl::cli::testing {
namespace {

constexpr const char* admin_key = "nzk_admin_0123456789abcdef";

class CliClusterDrainTest : public ::testing::Test {
protected:
  child_result run(const std::vector<std::string>& args) {
    return run_cli(args, {{"NZL_NODE", node_.url()}, {"NZL_API_KEY", admin_key}});
  }

  fake_node node_;
};

// Regression: the line named only the first node of the answer and said
// nothing of `unreachable`, so a half-drained region looked drained.
TEST_F(CliClusterDrainTest, FailoverNamesEveryNodeAndWarnsOfTheUnreached) {
  node_.answer("POST /v3/admin/cluster/failover",
               {200, R"({"region":"r1","drained":true,"redirect":"r2","node":"r1-a",
                         "nodes":[{"node":"r1-a","drained":true},{"node":"r1-b","drained":true}],
                         "unreachable":["r1-c"]})"});
  auto r = run({"failover", "--from", "r1", "--to", "r2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Region r1 (nodes r1-a, r1-b) is drained; its traffic goes to r2\n");
  EXPECT_NE(r.err.find("warning: not reached, so unchanged: r1-c"), std::string::npos) << r.err;
}

TEST_F(CliClusterDrainTest, FailbackOfEveryNodeHasNoWarning) {
  node_.answer("POST /v3/admin/cluster/failback",
               {200, R"({"region":"r1","drained":false,"redirect":"","node":"r1-a",
                         "nodes":[{"node":"r1-a"},{"node":"r1-b"}],"unreachable":[]})"});
  auto r = run({"failback", "--region", "r1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Region r1 (nodes r1-a, r1-b) serves again\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(CliClusterDrainTest, OneNodeRegionKeepsTheSingleNodeLine) {
  node_.answer("POST /v3/admin/cluster/failback",
               {200, R"({"region":"eu-west","drained":false,"redirect":"","node":"n-eu",
                         "nodes":[{"node":"n-eu"}],"unreachable":[]})"});
  auto r = run({"failback", "--region", "eu-west"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Region eu-west (node n-eu) serves again\n");
}

} // namespace
} // namespace nzl::cli::testing
