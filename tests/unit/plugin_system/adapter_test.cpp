#include "plugins/loader/c_adapter.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace nzl::plugins {
namespace {

using testing::fake_context;

std::atomic<int> frees{0};

void count_free(char* data) {
  frees.fetch_add(1);
  std::free(data);
}

int put(nzl_output* out, std::string_view text, int rc) {
  out->data = static_cast<char*>(std::malloc(text.size() + 1));
  std::memcpy(out->data, text.data(), text.size());
  out->size = text.size();
  return rc;
}

// Echoes the payload after reporting progress and reading the region.
int echo_run(void*, const nzl_host_api* host, nzl_host_ctx* ctx, const char* payload,
             std::size_t len, nzl_output* out) {
  host->progress(ctx, 150, "halfway", 7); // clamped to 100 by the host
  std::size_t rlen = 0;
  const char* region = host->region(ctx, &rlen);
  if (host->cancelled(ctx))
    return put(out, R"({"code":"task_cancelled","detail":"stopped"})", NZL_PLUGIN_ERROR);
  auto j = nlohmann::json::parse(payload, payload + len);
  j["region"] = std::string{region, rlen};
  return put(out, j.dump(), NZL_PLUGIN_OK);
}

int throw_run(void*, const nzl_host_api*, nzl_host_ctx*, const char*, std::size_t, nzl_output*) {
  throw std::runtime_error("escaped");
}

int garbage_run(void*, const nzl_host_api*, nzl_host_ctx*, const char*, std::size_t,
                nzl_output* out) {
  return put(out, "{nope", NZL_PLUGIN_OK);
}

int empty_run(void*, const nzl_host_api*, nzl_host_ctx*, const char*, std::size_t,
              nzl_output* out) {
  out->data = nullptr;
  return NZL_PLUGIN_OK;
}

int refuse_before(void*, const nzl_host_api*, nzl_host_ctx*, const char* type, std::size_t tlen,
                  const char*, std::size_t, nzl_output* out) {
  if (std::string_view{type, tlen} == "blocked")
    return put(out, R"({"status":403,"detail":"blocked type"})", NZL_PLUGIN_ERROR);
  out->data = nullptr;
  return NZL_PLUGIN_OK;
}

int mark_after(void*, const nzl_host_api*, nzl_host_ctx*, const char*, std::size_t, int failed,
               const char* outcome, std::size_t len, nzl_output* out) {
  auto j = nlohmann::json::parse(outcome, outcome + len);
  if (failed) // turn every error into a result that describes it
    return put(out, nlohmann::json{{"recovered_from", j["code"]}}.dump(), NZL_PLUGIN_OK);
  j["marked"] = true;
  return put(out, j.dump(), NZL_PLUGIN_OK);
}

const nzl_handler_desc handlers[] = {
    {"c-echo", nullptr, echo_run},
    {"c-throw", nullptr, throw_run},
    {"c-garbage", nullptr, garbage_run},
    {"c-empty", nullptr, empty_run},
};
const nzl_middleware_desc middleware[] = {
    {"c-mw", 5, nullptr, refuse_before, mark_after},
};
const nzl_plugin_desc plugin = {
    NZL_PLUGIN_ABI_VERSION, "c-test", "0.0.1", handlers, 4, middleware, 1, count_free};

class PluginSystemAdapterTest : public ::testing::Test {
protected:
  void SetUp() override { frees.store(0); }
  fake_context ctx;
};

TEST_F(PluginSystemAdapterTest, RunsAHandlerAcrossTheAbi) {
  c_handler h{plugin, handlers[0]};
  EXPECT_EQ(h.type(), "c-echo");
  EXPECT_FALSE(h.runs_inline(nlohmann::json::object()));
  auto out = h.run(nlohmann::json{{"text", "héllo"}}, ctx);
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, (nlohmann::json{{"text", "héllo"}, {"region", "eu-test"}}));
  EXPECT_EQ(ctx.reports(), (std::vector<std::pair<int, std::string>>{{100, "halfway"}}));
  EXPECT_EQ(frees.load(), 1);
}

TEST_F(PluginSystemAdapterTest, CancellationReachesThePlugin) {
  c_handler h{plugin, handlers[0]};
  ctx.cancel();
  auto out = h.run(nlohmann::json::object(), ctx);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.err().code, errc::task_cancelled);
  EXPECT_EQ(out.err().detail, "stopped");
  EXPECT_EQ(out.err().extensions["plugin"], "c-test");
}

TEST_F(PluginSystemAdapterTest, AThrowingHandlerBecomesAnInternalError) {
  c_handler h{plugin, handlers[1]};
  auto out = h.run(nlohmann::json::object(), ctx);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.err().code, errc::internal);
  EXPECT_NE(out.err().detail.find("escaped"), std::string::npos);
}

TEST_F(PluginSystemAdapterTest, OutputThatIsNotJsonBecomesAnInternalError) {
  c_handler h{plugin, handlers[2]};
  auto out = h.run(nlohmann::json::object(), ctx);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.err().code, errc::internal);
  EXPECT_EQ(frees.load(), 1); // freed all the same
}

TEST_F(PluginSystemAdapterTest, NoResultBecomesAnInternalError) {
  c_handler h{plugin, handlers[3]};
  auto out = h.run(nlohmann::json::object(), ctx);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.err().code, errc::internal);
  EXPECT_EQ(frees.load(), 0);
}

TEST_F(PluginSystemAdapterTest, MiddlewareRefusesKeepsAndRewrites) {
  c_middleware m{plugin, middleware[0]};
  EXPECT_EQ(m.name(), "c-mw");
  EXPECT_EQ(m.order(), 5);
  auto kept = m.before_task("echo", nlohmann::json{{"a", 1}}, ctx);
  ASSERT_TRUE(kept);
  EXPECT_EQ(*kept, (nlohmann::json{{"a", 1}}));
  auto refused = m.before_task("blocked", nlohmann::json{{"a", 1}}, ctx);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.err().code, errc::task_failed); // 403 is no code of ours: 4xx -> 422
  EXPECT_EQ(refused.err().detail, "blocked type");
  auto marked = m.after_task("echo", nlohmann::json{{"a", 1}}, ctx);
  ASSERT_TRUE(marked);
  EXPECT_EQ((*marked)["marked"], true);
  auto recovered = m.after_task("echo", fail(errc::task_timeout, "slow"), ctx);
  ASSERT_TRUE(recovered);
  EXPECT_EQ((*recovered)["recovered_from"], "task_timeout");
}

TEST(PluginSystemErrorMappingTest, MapsCodesThenStatuses) {
  auto e =
      error_from_plugin("p", R"({"code":"invalid_field","detail":"d","extensions":{"field":"x"}})");
  EXPECT_EQ(e.code, errc::invalid_field);
  EXPECT_EQ(e.detail, "d");
  EXPECT_EQ(e.extensions["field"], "x");
  EXPECT_EQ(e.extensions["plugin"], "p");
  EXPECT_EQ(error_from_plugin("p", R"({"status":503})").code, errc::unavailable);
  EXPECT_EQ(error_from_plugin("p", R"({"status":429})").code, errc::overloaded);
  EXPECT_EQ(error_from_plugin("p", R"({"status":500})").code, errc::internal);
  EXPECT_EQ(error_from_plugin("p", R"({"status":404})").code, errc::task_failed);
  EXPECT_EQ(error_from_plugin("p", R"({})").code, errc::task_failed);
  // A plugin may not claim codes that mean something else on this node.
  EXPECT_EQ(error_from_plugin("p", R"({"code":"storage_failed","status":400})").code,
            errc::invalid_field);
  EXPECT_EQ(error_from_plugin("p", "").code, errc::internal);
  EXPECT_EQ(error_from_plugin("p", "[1]").code, errc::internal);
  auto long_detail =
      error_from_plugin("p", nlohmann::json{{"detail", std::string(5000, 'x')}}.dump());
  EXPECT_EQ(long_detail.detail.size(), 1024u);
}

} // namespace
} // namespace nzl::plugins
