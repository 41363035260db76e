#include "plugins/smart_routing/routing_handlers.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace nzl::plugins::smart_routing {
namespace {

using nlohmann::json;

class fixed_context : public handler_context {
public:
  void progress(int, std::string_view) override {}
  bool cancelled() const noexcept override { return false; }
  std::string_view region() const noexcept override { return "eu-west"; }
};

// A handler that records its payload and answers {"ran": type}, or fails.
class stub_handler final : public task_handler {
public:
  stub_handler(std::string type, bool inline_ok, bool fails = false)
      : type_(std::move(type)), inline_(inline_ok), fails_(fails) {}
  std::string_view type() const noexcept override { return type_; }
  bool runs_inline(const json&) const noexcept override { return inline_; }
  result<json> run(json payload, handler_context&) override {
    seen = std::move(payload);
    if (fails_)
      return fail(errc::task_failed, "stub failed", {{"why", "asked to"}});
    return json{{"ran", type_}};
  }
  json seen;

private:
  std::string type_;
  bool inline_;
  bool fails_;
};

class SmartRoutingHandlersTest : public ::testing::Test {
protected:
  routing_dependencies deps() {
    routing_dependencies d;
    d.find_handler = [this](std::string_view type) -> task_handler* {
      auto it = handlers_.find(std::string{type});
      return it == handlers_.end() ? nullptr : it->second;
    };
    d.recent_p95_ms = [this](std::string_view type) -> std::optional<double> {
      auto it = p95_.find(std::string{type});
      if (it == p95_.end())
        return std::nullopt;
      return it->second;
    };
    return d;
  }

  stub_handler echo_{"echo", true};
  stub_handler text_{"text-analysis", false};
  std::map<std::string, task_handler*> handlers_{{"echo", &echo_}, {"text-analysis", &text_}};
  std::map<std::string, double> p95_;
  fixed_context ctx_;
};

TEST_F(SmartRoutingHandlersTest, DecisionOnlyAndRunsNothing) {
  smart_routing_handler h{deps()};
  EXPECT_EQ(h.type(), "smart-routing");
  EXPECT_TRUE(h.runs_inline(json{{"text", "x"}}));
  auto out = h.run(json{{"text", "hello"}}, ctx_);
  ASSERT_TRUE(out);
  EXPECT_EQ((*out)["handler"], "text-analysis");
  EXPECT_EQ((*out)["region"], "eu-west");
  EXPECT_EQ((*out)["mode"], "sync");
  EXPECT_TRUE(text_.seen.is_null());
}

TEST_F(SmartRoutingHandlersTest, RecentLatencyComesFromTheNode) {
  smart_routing_handler h{deps()};
  p95_["text-analysis"] = 60'000;
  auto out = h.run(json{{"text", "hello"}}, ctx_);
  ASSERT_TRUE(out);
  EXPECT_EQ((*out)["mode"], "async");
}

TEST_F(SmartRoutingHandlersTest, MissingHandlerIsReportedAsEcho) {
  smart_routing_handler h{deps()};
  auto out = h.run(json{{"schema", json::object()}, {"data", 1}}, ctx_);
  ASSERT_TRUE(out);
  EXPECT_EQ((*out)["handler"], "echo");
}

TEST_F(SmartRoutingHandlersTest, AutoRunsTheChosenHandlerWithThePayload) {
  auto_handler h{deps()};
  EXPECT_EQ(h.type(), "auto");
  json payload = {{"text", "hello"}, {"options", {{"lang", "en"}}}};
  auto out = h.run(payload, ctx_);
  ASSERT_TRUE(out);
  EXPECT_EQ((*out)["handler"], "text-analysis");
  EXPECT_EQ((*out)["result"], (json{{"ran", "text-analysis"}}));
  EXPECT_TRUE((*out)["reasons"].is_array());
  EXPECT_TRUE(out->contains("complexity"));
  EXPECT_EQ(text_.seen, payload);
}

TEST_F(SmartRoutingHandlersTest, AutoFallsBackToEchoWhenTheChoiceIsMissing) {
  auto_handler h{deps()};
  json payload = {{"image", "iVBORw0KGgoAAAAA"}};
  auto out = h.run(payload, ctx_);
  ASSERT_TRUE(out);
  EXPECT_EQ((*out)["handler"], "echo");
  EXPECT_EQ(echo_.seen, payload);
}

TEST_F(SmartRoutingHandlersTest, AutoRunsInlineOnlyWhenTheChosenHandlerWould) {
  auto_handler h{deps()};
  EXPECT_TRUE(h.runs_inline(json{{"x", 1}}));
  EXPECT_FALSE(h.runs_inline(json{{"text", "hello"}}));
  // Missing handler: echo would run it.
  EXPECT_TRUE(h.runs_inline(json{{"image", "iVBORw0KGgoAAAAA"}}));
}

TEST_F(SmartRoutingHandlersTest, AutoPassesTheHandlersErrorOnNamingIt) {
  stub_handler failing{"text-analysis", false, true};
  handlers_["text-analysis"] = &failing;
  auto_handler h{deps()};
  auto out = h.run(json{{"text", "hello"}}, ctx_);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.err().code, errc::task_failed);
  EXPECT_EQ(out.err().extensions["handler"], "text-analysis");
  EXPECT_EQ(out.err().extensions["why"], "asked to");
}

TEST_F(SmartRoutingHandlersTest, AutoWithoutAnyHandlerIsUnknownType) {
  handlers_.clear();
  auto_handler h{deps()};
  auto out = h.run(json{{"x", 1}}, ctx_);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.err().code, errc::unknown_task_type);
  EXPECT_FALSE(h.runs_inline(json{{"x", 1}}));
}

TEST_F(SmartRoutingHandlersTest, WorksWithoutLatencyStatistics) {
  auto d = deps();
  d.recent_p95_ms = nullptr;
  smart_routing_handler h{d};
  auto out = h.run(json{{"text", "hello"}}, ctx_);
  ASSERT_TRUE(out);
  EXPECT_EQ((*out)["handler"], "text-analysis");
}

} // namespace
} // namespace nzl::plugins::smart_routing
