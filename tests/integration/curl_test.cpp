// The key cases again with the real curl binary, as a user would call the
// node: echo, the v2 headers, a 404 and a 413.
#include "tests/support/http_client.hpp"
#include "tests/support/node_process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace nzl::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr std::size_t max_body_bytes = 64 * 1024;

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Single-quotes `s` for /bin/sh.
std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return out + "'";
}

struct curl_result {
  int exit_code = -1;
  std::string write_out; // what -w printed
  std::string body;
  std::string headers;
};

class CurlTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    node_options options;
    options.limits = {{"max_body_bytes", max_body_bytes}};
    node_ = std::make_unique<node_process>(options);
    started_ = node_->start();
  }
  static void TearDownTestSuite() { node_.reset(); }

  void SetUp() override {
    if (std::system("curl --version > /dev/null 2>&1") != 0)
      GTEST_SKIP() << "no curl binary on PATH";
    ASSERT_TRUE(started_);
  }

  // Runs curl with `args` against http://127.0.0.1:PORT`path`; the body and
  // the response head go to files of the test's temp dir.
  curl_result curl(const std::string& path, const std::string& args) {
    const auto body = files_.path() / "body";
    const auto head = files_.path() / "head";
    const std::string url = "http://127.0.0.1:" + std::to_string(node_->port()) + path;
    const std::string command = "curl -s --noproxy '*' --max-time 30 -o " +
                                sh_quote(body.string()) + " -D " + sh_quote(head.string()) +
                                " -w '%{http_code} %{content_type}' -H 'Authorization: Bearer " +
                                std::string{test_admin_key} + "' " + args + " " + sh_quote(url);
    curl_result out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe)
      return out;
    char buf[256];
    while (std::fgets(buf, sizeof buf, pipe))
      out.write_out += buf;
    int status = ::pclose(pipe);
    out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    out.body = read_text(body);
    out.headers = read_text(head);
    return out;
  }

  static inline std::unique_ptr<node_process> node_;
  static inline ::testing::AssertionResult started_ = ::testing::AssertionFailure();
  temp_dir files_;
};

TEST_F(CurlTest, EchoAnswers200) {
  auto r = curl("/v3/tasks", "-H 'Content-Type: application/json' "
                             "--data '{\"type\":\"echo\",\"payload\":{\"hello\":\"curl\"}}'");
  ASSERT_EQ(r.exit_code, 0) << r.write_out;
  EXPECT_EQ(r.write_out, "200 application/json") << r.body;
  auto body = json::parse(r.body, nullptr, false);
  EXPECT_EQ(body.value("status", ""), "completed") << r.body;
  EXPECT_EQ(body["result"], json({{"hello", "curl"}})) << r.body;
  EXPECT_THAT(r.headers, HasSubstr("X-Request-Id: "));
}

TEST_F(CurlTest, V2DelegateCarriesDeprecationHeaders) {
  auto r = curl("/api/delegate", "-H 'Content-Type: application/json' "
                                 "--data '{\"task_type\":\"echo\",\"task_data\":{\"v\":2}}'");
  ASSERT_EQ(r.exit_code, 0) << r.write_out;
  EXPECT_EQ(r.write_out, "200 application/json") << r.body;
  EXPECT_EQ(json::parse(r.body, nullptr, false).value("success", false), true) << r.body;
  EXPECT_THAT(r.headers, HasSubstr("Deprecation: "));
  EXPECT_THAT(r.headers, HasSubstr("Sunset: "));
  EXPECT_THAT(r.headers, HasSubstr("Link: </v3/tasks>; rel=\"successor-version\""));
}

TEST_F(CurlTest, UnknownPathIs404Problem) {
  auto r = curl("/no/such/thing", "");
  ASSERT_EQ(r.exit_code, 0) << r.write_out;
  EXPECT_EQ(r.write_out, "404 application/problem+json") << r.body;
  auto body = json::parse(r.body, nullptr, false);
  EXPECT_EQ(body.value("code", ""), "not_found") << r.body;
  EXPECT_EQ(body.value("status", 0), 404);
}

TEST_F(CurlTest, BodyOverLimitIs413) {
  const auto big = files_.write("big.json", R"({"type":"echo","payload":")" +
                                                std::string(2 * max_body_bytes, 'x') + "\"}");
  auto r = curl("/v3/tasks",
                "-H 'Content-Type: application/json' --data-binary @" + sh_quote(big.string()));
  // curl may report the connection closed under its upload (exit 55) after
  // it read the answer; the status is what counts.
  EXPECT_THAT(r.exit_code, ::testing::AnyOf(0, 55)) << r.write_out;
  EXPECT_EQ(r.write_out, "413 application/problem+json") << r.body;
  EXPECT_EQ(json::parse(r.body, nullptr, false).value("code", ""), "payload_too_large") << r.body;
}

} // namespace
} // namespace nzl::test
