// The npm `ws` package against the node, as Debian packages it (node-ws,
// installed with nodejs by scripts/bootstrap under /usr/share/nodejs): no
// download at test time. Skipped, naming the packages, where they are missing.
#include "tests/support/http_client.hpp"
#include "tests/support/node_process.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/wait.h>

namespace nzl::test {
namespace {

// Where Debian's node-* packages put their modules; the nodesource build of
// nodejs does not search it by default, hence NODE_PATH.
constexpr const char* debian_node_modules = "/usr/share/nodejs";

int shell(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(WsInteropTest, NodeWsPackageRunsATaskWithProgress) {
  if (shell("command -v node >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "node is not installed (scripts/bootstrap installs nodejs)";
  if (!std::filesystem::exists(std::filesystem::path{debian_node_modules} / "ws" / "package.json"))
    GTEST_SKIP() << "the ws module is not installed (scripts/bootstrap installs node-ws)";
  node_process node;
  ASSERT_TRUE(node.start());
  auto rc = shell("NODE_PATH='" + std::string{debian_node_modules} + "' timeout 30 node '" +
                  std::string{NZL_WS_INTEROP_SCRIPT} + "' " + std::to_string(node.port()) + " " +
                  std::string{test_admin_key});
  EXPECT_EQ(rc, 0);
}

} // namespace
} // namespace nzl::test
