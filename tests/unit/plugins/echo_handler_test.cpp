#include "plugins/builtin/echo_handler.hpp"

#include <gtest/gtest.h>

namespace nzl::plugins::builtin {
namespace {

using nlohmann::json;

class recording_context : public handler_context {
public:
  void progress(int percent, std::string_view) override { reported.push_back(percent); }
  bool cancelled() const noexcept override { return cancel_now; }
  std::string_view region() const noexcept override { return "r"; }
  std::vector<int> reported;
  bool cancel_now = false;
};

TEST(EchoHandlerTest, ReturnsThePayload) {
  echo_handler echo;
  recording_context ctx;
  json payload = {{"x", {1, 2, 3}}};
  auto out = echo.run(payload, ctx);
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, payload);
  EXPECT_TRUE(echo.runs_inline(payload));
}

TEST(EchoHandlerTest, StepsReportProgressAndLeaveTheInlinePath) {
  echo_handler echo;
  recording_context ctx;
  json payload = {{"steps", 4}, {"step_ms", 0}};
  EXPECT_FALSE(echo.runs_inline(payload));
  auto out = echo.run(payload, ctx);
  ASSERT_TRUE(out);
  EXPECT_EQ(ctx.reported, (std::vector<int>{25, 50, 75, 100}));
}

TEST(EchoHandlerTest, BadStepsAreAFieldError) {
  echo_handler echo;
  recording_context ctx;
  auto out = echo.run(json{{"steps", "many"}}, ctx);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.err().extensions["field"], "payload.steps");
  EXPECT_FALSE(echo.run(json{{"steps", 100000}}, ctx));
  EXPECT_FALSE(echo.run(json{{"steps", 1}, {"step_ms", -1}}, ctx));
}

TEST(EchoHandlerTest, StopsWhenCancelled) {
  echo_handler echo;
  recording_context ctx;
  ctx.cancel_now = true;
  auto out = echo.run(json{{"steps", 3}, {"step_ms", 0}}, ctx);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.err().code, errc::task_cancelled);
}

} // namespace
} // namespace nzl::plugins::builtin
