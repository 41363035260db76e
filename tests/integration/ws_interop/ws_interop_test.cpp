// The npm `ws` package against the node: installed into a temp dir at test
// time when the npm registry is reachable (never committed), else skipped.
#include "tests/support/http_client.hpp"
#include "tests/support/node_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <sys/wait.h>

namespace nzl::test {
namespace {

int shell(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(WsInteropTest, NodeWsPackageRunsATaskWithProgress) {
  if (shell("command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "node or npm is not installed";
  temp_dir dir;
  auto prefix = dir.path().string();
  if (shell("timeout 120 npm install --no-audit --no-fund --silent --prefix '" + prefix +
            "' ws@8 >'" + prefix + "/npm.log' 2>&1") != 0)
    GTEST_SKIP() << "the npm registry is unreachable (npm install ws failed)";
  node_process node;
  ASSERT_TRUE(node.start());
  auto rc = shell("NODE_PATH='" + prefix + "/node_modules' timeout 30 node '" +
                  std::string{NZL_WS_INTEROP_SCRIPT} + "' " + std::to_string(node.port()) + " " +
                  std::string{test_admin_key});
  EXPECT_EQ(rc, 0);
}

} // namespace
} // namespace nzl::test
