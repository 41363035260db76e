// The CLI run in process: help, usage errors and their exit codes, none of
// which reach a node.
#include "apps/cloudagent/cli.hpp"
#include "apps/cloudagent/node_client.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace nzl::cli {
namespace {

struct ran {
  int code;
  std::string out;
  std::string err;
};

ran run_with(std::vector<std::string> args, environment env = {}) {
  std::ostringstream out;
  std::ostringstream err;
  // A node nobody listens on: a test that reached it would fail with 3.
  if (!env.node)
    env.node = "http://127.0.0.1:1";
  int code = run(args, env, out, err);
  return {code, out.str(), err.str()};
}

TEST(CliRunTest, HelpOnEveryLevelExitsZero) {
  auto top = run_with({"--help"});
  EXPECT_EQ(top.code, 0);
  EXPECT_NE(top.out.find("keys"), std::string::npos);
  EXPECT_NE(top.out.find("NZL_API_KEY"), std::string::npos);
  auto group = run_with({"keys", "--help"});
  EXPECT_EQ(group.code, 0);
  EXPECT_NE(group.out.find("rotate"), std::string::npos);
  auto command = run_with({"keys", "rotate", "--help"});
  EXPECT_EQ(command.code, 0);
  EXPECT_NE(command.out.find("--grace D"), std::string::npos);
  EXPECT_NE(command.out.find("--timeout-ms N"), std::string::npos);
  EXPECT_EQ(run_with({"help"}).code, 0);
  EXPECT_EQ(run_with({"--version"}).code, 0);
}

TEST(CliRunTest, MissingOrUnknownCommandsAreUsageErrors) {
  EXPECT_EQ(run_with({}).code, 2);
  EXPECT_EQ(run_with({"keys"}).code, 2);
  auto unknown = run_with({"nope"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("error: unknown command group 'nope'"), std::string::npos);
  EXPECT_EQ(run_with({"keys", "frobnicate"}).code, 2);
  EXPECT_EQ(run_with({"keys", "list", "--bogus"}).code, 2);
  EXPECT_EQ(run_with({"keys", "revoke"}).code, 2);
  EXPECT_EQ(run_with({"keys", "revoke", "a", "b"}).code, 2);
}

TEST(CliRunTest, BadValuesAreUsageErrors) {
  EXPECT_EQ(run_with({"keys", "create"}).code, 2); // no --name
  EXPECT_EQ(run_with({"keys", "create", "--name", "x", "--scope", "root"}).code, 2);
  EXPECT_EQ(run_with({"keys", "create", "--name", "x", "--expires-in", "soon"}).code, 2);
  EXPECT_EQ(run_with({"keys", "create", "--name", "x", "--country-deny", "XYZ"}).code, 2);
  EXPECT_EQ(run_with({"keys", "rotate", "k_1"}).code, 2); // no --grace
  EXPECT_EQ(run_with({"keys", "rotate", "k_1", "--grace", "31d"}).code, 2);
  EXPECT_EQ(run_with({"keys", "revoke", "../x"}).code, 2);
  EXPECT_EQ(run_with({"audit", "tail", "--limit", "0"}).code, 2);
  EXPECT_EQ(run_with({"audit", "tail", "--status", "42"}).code, 2);
  EXPECT_EQ(run_with({"--timeout-ms", "0", "keys", "list"}).code, 2);
  EXPECT_EQ(run_with({"keys", "list", "--node", "ftp://x"}).code, 2);
  EXPECT_EQ(run_with({"keys", "list", "--node", "http://127.0.0.1:8081/?a=1"}).code, 2);
}

TEST(CliRunTest, UnspecifiedAddressIsRefusedAsUsage) {
  auto r = run_with({"keys", "list", "--node", "http://0.0.0.0:8081"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("egress"), std::string::npos) << r.err;
}

TEST(CliRunTest, ProblemDocumentsBecomeOneLine) {
  auto f = problem_failure(
      404, R"({"type":"urn:x","title":"Not Found","status":404,"detail":"no key k_9"})");
  EXPECT_EQ(f.code, exit_code::node_error);
  EXPECT_EQ(f.message, "Not Found (404): no key k_9");
  EXPECT_EQ(problem_failure(502, "<html>bad gateway</html>").message,
            "HTTP error (502): <html>bad gateway</html>");
  EXPECT_EQ(problem_failure(500, R"({"title":"x\u001b[2J"})").message, "x?[2J (500)");
}

} // namespace
} // namespace nzl::cli
