#include "plugins/handler_registry.hpp"
#include "plugins/middleware.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

namespace nzl::plugins {
namespace {

using testing::fake_context;
using testing::named_handler;

/// Appends "<name>:before" / "<name>:after" to a shared trace and can refuse,
/// rewrite the payload or annotate the result.
class tracing_middleware final : public middleware {
public:
  tracing_middleware(std::string name, std::int32_t order, std::vector<std::string>& trace)
      : name_(std::move(name)), order_(order), trace_(trace) {}

  std::string_view name() const noexcept override { return name_; }
  std::int32_t order() const noexcept override { return order_; }
  bool runs_inline() const noexcept override { return inline_; }

  result<nlohmann::json> before_task(std::string_view, nlohmann::json payload,
                                     handler_context&) override {
    trace_.push_back(name_ + ":before");
    if (refuse_)
      return fail(errc::task_failed, name_ + " refuses");
    if (payload.is_object())
      payload["seen_by"].push_back(name_);
    return payload;
  }

  result<nlohmann::json> after_task(std::string_view type, result<nlohmann::json> outcome,
                                    handler_context&) override {
    trace_.push_back(name_ + ":after");
    if (throw_after_)
      throw std::runtime_error("after exploded");
    if (outcome && outcome->is_object())
      (*outcome)["annotations"].push_back(name_ + "@" + std::string{type});
    return outcome;
  }

  bool refuse_ = false;
  bool throw_after_ = false;
  bool inline_ = false;

private:
  std::string name_;
  std::int32_t order_;
  std::vector<std::string>& trace_;
};

class PluginSystemMiddlewareTest : public ::testing::Test {
protected:
  std::shared_ptr<tracing_middleware> add(std::string name, std::int32_t order) {
    auto m = std::make_shared<tracing_middleware>(std::move(name), order, trace);
    EXPECT_TRUE(registry.add_middleware(m));
    return m;
  }

  std::vector<std::string> trace;
  handler_registry registry;
  fake_context ctx;
};

TEST_F(PluginSystemMiddlewareTest, RunsBeforeInOrderAndAfterInReverse) {
  registry.add(std::make_shared<named_handler>("t"));
  add("late", 20);
  add("early", -5);
  add("middle", 0);
  EXPECT_EQ(registry.middleware_names(), (std::vector<std::string>{"early", "middle", "late"}));
  auto out = registry.find("t")->run(nlohmann::json::object(), ctx);
  ASSERT_TRUE(out);
  EXPECT_EQ(trace, (std::vector<std::string>{"early:before", "middle:before", "late:before",
                                             "late:after", "middle:after", "early:after"}));
  // The handler saw the payload every before_task changed ...
  EXPECT_EQ((*out)["payload"]["seen_by"], (nlohmann::json{"early", "middle", "late"}));
  // ... and the client sees every after_task's annotation.
  EXPECT_EQ((*out)["annotations"], (nlohmann::json{"late@t", "middle@t", "early@t"}));
}

TEST_F(PluginSystemMiddlewareTest, EqualOrdersKeepRegistrationOrder) {
  registry.add(std::make_shared<named_handler>("t"));
  add("first", 0);
  add("second", 0);
  plugin_set p;
  p.name = "plug";
  p.middleware.push_back(std::make_shared<tracing_middleware>("third", 0, trace));
  ASSERT_TRUE(registry.set_plugins({p}));
  EXPECT_EQ(registry.middleware_names(), (std::vector<std::string>{"first", "second", "third"}));
}

TEST_F(PluginSystemMiddlewareTest, ARefusalSkipsTheHandlerAndLaterMiddleware) {
  registry.add(std::make_shared<named_handler>("t"));
  add("outer", 1);
  add("guard", 2)->refuse_ = true;
  add("inner", 3);
  auto out = registry.find("t")->run(nlohmann::json::object(), ctx);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.err().code, errc::task_failed);
  EXPECT_EQ(out.err().detail, "guard refuses");
  EXPECT_EQ(trace, (std::vector<std::string>{"outer:before", "guard:before", "outer:after"}));
  EXPECT_EQ(registry.stats("t")->errors(), 1u);
}

TEST_F(PluginSystemMiddlewareTest, AThrowingMiddlewareBecomesAnInternalError) {
  registry.add(std::make_shared<named_handler>("t"));
  add("bad", 1)->throw_after_ = true;
  auto out = registry.find("t")->run(nlohmann::json::object(), ctx);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.err().code, errc::internal);
}

TEST_F(PluginSystemMiddlewareTest, MiddlewareStopsInlineRunsUnlessItIsCheap) {
  registry.add(std::make_shared<named_handler>("t", true));
  auto* h = registry.find("t");
  EXPECT_TRUE(h->runs_inline(nlohmann::json::object()));
  auto m = add("slow", 0);
  EXPECT_FALSE(h->runs_inline(nlohmann::json::object()));
  handler_registry cheap;
  cheap.add(std::make_shared<named_handler>("t", true));
  auto c = std::make_shared<tracing_middleware>("cheap", 0, trace);
  c->inline_ = true;
  ASSERT_TRUE(cheap.add_middleware(c));
  EXPECT_TRUE(cheap.find("t")->runs_inline(nlohmann::json::object()));
}

TEST_F(PluginSystemMiddlewareTest, RefusesADuplicateMiddlewareName) {
  add("m", 0);
  EXPECT_FALSE(registry.add_middleware(std::make_shared<tracing_middleware>("m", 1, trace)));
  plugin_set p;
  p.name = "plug";
  p.middleware.push_back(std::make_shared<tracing_middleware>("m", 0, trace));
  EXPECT_FALSE(registry.set_plugins({p}));
}

TEST_F(PluginSystemMiddlewareTest, AReloadSwapsTheChain) {
  registry.add(std::make_shared<named_handler>("t"));
  auto* h = registry.find("t");
  plugin_set p;
  p.name = "plug";
  p.middleware.push_back(std::make_shared<tracing_middleware>("plugged", 0, trace));
  ASSERT_TRUE(registry.set_plugins({p}));
  ASSERT_TRUE(h->run(nlohmann::json::object(), ctx));
  EXPECT_EQ(trace.size(), 2u);
  ASSERT_TRUE(registry.set_plugins({}));
  ASSERT_TRUE(h->run(nlohmann::json::object(), ctx));
  EXPECT_EQ(trace.size(), 2u); // the same wrapper now runs without middleware
}

} // namespace
} // namespace nzl::plugins
