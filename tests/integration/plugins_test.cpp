// External plugins in a real node: the example plugin (plugins/examples/)
// loaded from the manifest's plugin directory, its handler and middleware on
// the task path, GET /v3/plugins, reload, and `cloudagent plugins list`.
#include "tests/support/http_client.hpp"
#include "tests/support/node_process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>

namespace nzl::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class PluginsIntegrationTest : public ::testing::Test {
protected:
  void SetUp() override {
    fs::create_directories(plugin_dir_.path() / "plugins");
    fs::copy_file(NZL_EXAMPLE_PLUGIN, plugin_dir_.path() / "plugins" / "libnzl_example.so");
    node_options options;
    options.manifest_sections =
        json{{"plugins", {{"directories", {(plugin_dir_.path() / "plugins").string()}}}}};
    node_ = std::make_unique<node_process>(options);
    ASSERT_TRUE(node_->start());
  }

  temp_dir plugin_dir_;
  std::unique_ptr<node_process> node_;
};

TEST_F(PluginsIntegrationTest, ThePluginsHandlerRunsAndItsMiddlewareAnnotates) {
  http_client c{node_->port()};
  auto r = c.post("/v3/tasks", R"({"type":"example-reverse","payload":{"text":"abc"}})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->json()["result"]["text"], "cba");
  EXPECT_EQ(r->json()["result"]["annotated_by"], "example-plugin");
  // The middleware runs for built-in handlers too.
  auto echo = c.post("/v3/tasks", R"({"type":"echo","payload":{"a":1}})");
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->json()["result"]["annotated_by"], "example-plugin") << echo->body;
}

TEST_F(PluginsIntegrationTest, MiddlewareRefusalIsAProblemDocument) {
  http_client c{node_->port()};
  auto r = c.post("/v3/tasks", R"({"type":"echo","payload":{"forbidden":true}})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422) << r->body;
  EXPECT_EQ(r->header("Content-Type"), "application/problem+json");
  EXPECT_EQ(r->json()["field"], "payload.forbidden");
}

TEST_F(PluginsIntegrationTest, ListAndReloadShowThePlugin) {
  http_client c{node_->port()};
  (void)c.post("/v3/tasks", R"({"type":"example-reverse","payload":{"text":"x"}})");
  auto list = c.request("GET", "/v3/plugins");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200) << list->body;
  bool found = false;
  const auto plugins = list->json()["plugins"];
  for (const auto& p : plugins)
    if (p["name"] == "example") {
      found = true;
      EXPECT_EQ(p["version"], "1.0.0");
      ASSERT_FALSE(p["handlers"].empty());
      EXPECT_EQ(p["handlers"][0]["type"], "example-reverse");
      EXPECT_GE(p["handlers"][0]["calls"].get<int>(), 1);
    }
  EXPECT_TRUE(found) << list->body;
  auto reload = c.post("/v3/admin/plugins/reload", "");
  ASSERT_TRUE(reload);
  EXPECT_EQ(reload->status, 200) << reload->body;
  EXPECT_FALSE(reload->json()["loaded"].empty()) << reload->body;

  // The CLI shows the same.
  const std::string command = std::string{NZL_CLOUDAGENT} +
                              " --node http://127.0.0.1:" + std::to_string(node_->port()) +
                              " plugins list 2>&1";
  ::setenv("NZL_API_KEY", std::string{test_admin_key}.c_str(), 1);
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe))
    out += buf;
  int status = ::pclose(pipe);
  EXPECT_EQ(WEXITSTATUS(status), 0) << out;
  EXPECT_NE(out.find("example-reverse"), std::string::npos) << out;
}

TEST_F(PluginsIntegrationTest, ReadScopeMayListButNotReload) {
  http_client admin{node_->port()};
  auto key = admin.post("/v3/admin/keys", R"({"name":"reader","scopes":["tasks:read"]})");
  ASSERT_TRUE(key && key->status == 201);
  http_client reader{node_->port()};
  reader.set_api_key(key->json()["key"]);
  EXPECT_EQ(reader.request("GET", "/v3/plugins")->status, 200);
  EXPECT_EQ(reader.post("/v3/admin/plugins/reload", "")->status, 403);
}

} // namespace
} // namespace nzl::test
