#include "plugins/handler_registry.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace nzl::plugins {
namespace {

using testing::fake_context;
using testing::named_handler;

plugin_set plugin(std::string name, std::vector<std::string> types) {
  plugin_set p;
  p.name = std::move(name);
  p.version = "1.0";
  p.source = "/plugins/" + p.name + ".so";
  for (auto& t : types)
    p.handlers.push_back(std::make_shared<named_handler>(t));
  return p;
}

TEST(PluginSystemRegistryTest, RunsAHandlerThroughItsWrapper) {
  handler_registry registry;
  add_builtin_handlers(registry);
  auto* echo = registry.find("echo");
  ASSERT_NE(echo, nullptr);
  EXPECT_EQ(echo->type(), "echo");
  EXPECT_TRUE(echo->runs_inline(nlohmann::json{{"a", 1}}));
  fake_context ctx;
  auto out = echo->run(nlohmann::json{{"a", 1}}, ctx);
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, (nlohmann::json{{"a", 1}}));
}

TEST(PluginSystemRegistryTest, SetPluginsAddsAndRemovesTypes) {
  handler_registry registry;
  add_builtin_handlers(registry);
  ASSERT_TRUE(registry.set_plugins({plugin("alpha", {"a1", "a2"})}));
  EXPECT_NE(registry.find("a1"), nullptr);
  EXPECT_NE(registry.find("echo"), nullptr);
  ASSERT_TRUE(registry.set_plugins({plugin("beta", {"b1"})}));
  EXPECT_EQ(registry.find("a1"), nullptr);
  EXPECT_NE(registry.find("b1"), nullptr);
  EXPECT_EQ(registry.types(), (std::vector<std::string>{"b1", "echo", "json-validator"}));
}

TEST(PluginSystemRegistryTest, RefusesDuplicatesAndKeepsTheCurrentSet) {
  handler_registry registry;
  add_builtin_handlers(registry);
  ASSERT_TRUE(registry.set_plugins({plugin("alpha", {"a1"})}));
  auto clash_builtin = registry.set_plugins({plugin("beta", {"echo"})});
  ASSERT_FALSE(clash_builtin);
  EXPECT_EQ(clash_builtin.err().code, errc::conflict);
  EXPECT_FALSE(registry.set_plugins({plugin("x", {"t"}), plugin("y", {"t"})}));
  EXPECT_FALSE(registry.set_plugins({plugin("builtin", {"z"})}));
  EXPECT_NE(registry.find("a1"), nullptr); // unchanged
  EXPECT_FALSE(registry.add(std::make_shared<named_handler>("a1")));
}

TEST(PluginSystemRegistryTest, AHandlerFoundBeforeAReloadStillRuns) {
  handler_registry registry;
  ASSERT_TRUE(registry.set_plugins({plugin("alpha", {"a1"})}));
  auto* old = registry.find("a1");
  ASSERT_NE(old, nullptr);
  ASSERT_TRUE(registry.set_plugins({}));
  EXPECT_EQ(registry.find("a1"), nullptr);
  fake_context ctx;
  auto out = old->run(nlohmann::json{{"k", 2}}, ctx); // a task that started before
  ASSERT_TRUE(out);
  EXPECT_EQ((*out)["handled_by"], "a1");
}

TEST(PluginSystemRegistryTest, CountsCallsErrorsAndThrows) {
  handler_registry registry;
  registry.add(std::make_shared<named_handler>("t"));
  fake_context ctx;
  auto* h = registry.find("t");
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(h->run(nlohmann::json::object(), ctx));
  EXPECT_FALSE(h->run(nlohmann::json{{"fail", true}}, ctx));
  auto thrown = h->run(nlohmann::json{{"throw", true}}, ctx);
  ASSERT_FALSE(thrown);
  EXPECT_EQ(thrown.err().code, errc::internal);
  const auto* s = registry.stats("t");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->calls(), 7u);
  EXPECT_EQ(s->errors(), 2u);
  EXPECT_GE(s->mean_ms(), 0.0);
  ASSERT_TRUE(registry.recent_p95_ms("t").has_value());
  EXPECT_FALSE(registry.recent_p95_ms("nope").has_value());
}

TEST(PluginSystemRegistryTest, NoP95BeforeTheFirstCall) {
  handler_registry registry;
  registry.add(std::make_shared<named_handler>("t"));
  EXPECT_FALSE(registry.recent_p95_ms("t").has_value());
}

TEST(HandlerStatsTest, P95IsTheNearestRankOfTheRecentWindow) {
  handler_stats s;
  // 100 calls: 1..100 ms. Nearest-rank p95 is the 95th smallest.
  for (int i = 1; i <= 100; ++i)
    s.record(std::chrono::milliseconds(i), false);
  ASSERT_TRUE(s.recent_p95_ms());
  EXPECT_DOUBLE_EQ(*s.recent_p95_ms(), 95.0);
  EXPECT_DOUBLE_EQ(s.mean_ms(), 50.5);
  // The window forgets: after 128 fast calls the slow ones are gone.
  for (std::size_t i = 0; i < handler_stats::window; ++i)
    s.record(std::chrono::microseconds(10), false);
  EXPECT_DOUBLE_EQ(*s.recent_p95_ms(), 0.01);
  EXPECT_EQ(s.calls(), 100 + handler_stats::window);
}

TEST(HandlerStatsTest, TimesOneCallInSixteenUnlessTheHandlerIsSlow) {
  handler_stats s;
  EXPECT_TRUE(s.wants_timing(s.begin_call())); // the first call is always timed
  s.record_latency(std::chrono::microseconds(2));
  EXPECT_FALSE(s.wants_timing(1));
  EXPECT_FALSE(s.wants_timing(15));
  EXPECT_TRUE(s.wants_timing(16));
  s.record_latency(std::chrono::microseconds(50)); // slow: time every call
  EXPECT_TRUE(s.wants_timing(17));
  EXPECT_DOUBLE_EQ(s.mean_ms(), 0.026);
  EXPECT_EQ(s.calls(), 1u);
}

TEST(PluginSystemRegistryTest, StatsSurviveAReloadThatKeepsTheHandler) {
  handler_registry registry;
  auto alpha = plugin("alpha", {"a1"});
  ASSERT_TRUE(registry.set_plugins({alpha}));
  fake_context ctx;
  ASSERT_TRUE(registry.find("a1")->run(nlohmann::json::object(), ctx));
  auto* before = registry.find("a1");
  ASSERT_TRUE(registry.set_plugins({alpha, plugin("beta", {"b1"})}));
  EXPECT_EQ(registry.find("a1"), before);
  EXPECT_EQ(registry.stats("a1")->calls(), 1u);
}

TEST(PluginSystemRegistryTest, DescribesPluginsHandlersAndMiddleware) {
  handler_registry registry{"0.1.0"};
  add_builtin_handlers(registry);
  ASSERT_TRUE(registry.set_plugins({plugin("alpha", {"a1"})}));
  fake_context ctx;
  ASSERT_TRUE(registry.find("a1")->run(nlohmann::json::object(), ctx));
  auto d = registry.describe();
  ASSERT_EQ(d["plugins"].size(), 2u);
  const auto& builtin = d["plugins"][0];
  EXPECT_EQ(builtin["name"], "builtin");
  EXPECT_EQ(builtin["version"], "0.1.0");
  EXPECT_EQ(builtin["source"], "builtin");
  EXPECT_EQ(builtin["handlers"].size(), 2u);
  EXPECT_TRUE(builtin["handlers"][0]["p95_ms"].is_null());
  const auto& alpha = d["plugins"][1];
  EXPECT_EQ(alpha["source"], "/plugins/alpha.so");
  ASSERT_EQ(alpha["handlers"].size(), 1u);
  EXPECT_EQ(alpha["handlers"][0]["type"], "a1");
  EXPECT_EQ(alpha["handlers"][0]["calls"], 1);
  EXPECT_EQ(alpha["handlers"][0]["errors"], 0);
  EXPECT_TRUE(alpha["handlers"][0]["mean_ms"].is_number());
  EXPECT_TRUE(alpha["handlers"][0]["p95_ms"].is_number());
  EXPECT_TRUE(alpha["middleware"].is_array());
}

TEST(PluginSystemRegistryTest, LookupsRaceWithReloadsSafely) {
  handler_registry registry;
  add_builtin_handlers(registry);
  auto alpha = plugin("alpha", {"a1"});
  auto beta = plugin("beta", {"b1"});
  std::atomic<bool> stop{false};
  std::atomic<int> runs{0};
  std::thread reader{[&] {
    fake_context ctx;
    while (!stop.load()) {
      if (auto* h = registry.find("echo"); h && h->run(nlohmann::json{{"x", 1}}, ctx))
        runs.fetch_add(1);
      if (auto* h = registry.find("a1"))
        std::ignore = h->run(nlohmann::json::object(), ctx);
    }
  }};
  for (int i = 0; i < 200; ++i)
    ASSERT_TRUE(registry.set_plugins({i % 2 ? alpha : beta}));
  stop.store(true);
  reader.join();
  EXPECT_EQ(registry.stats("echo")->calls(), static_cast<std::uint64_t>(runs.load()));
}

} // namespace
} // namespace nzl::plugins
