#include "plugins/builtin/echo_handler.hpp"
#include "plugins/handler_registry.hpp"

#include <gtest/gtest.h>

namespace nzl::plugins {
namespace {

TEST(HandlerRegistryTest, FindsBuiltinsByType) {
  handler_registry registry;
  add_builtin_handlers(registry);
  ASSERT_NE(registry.find("echo"), nullptr);
  EXPECT_EQ(registry.find("echo")->type(), "echo");
  EXPECT_EQ(registry.find("nope"), nullptr);
}

TEST(HandlerRegistryTest, RefusesADuplicateType) {
  handler_registry registry;
  EXPECT_TRUE(registry.add(std::make_shared<builtin::echo_handler>()));
  EXPECT_FALSE(registry.add(std::make_shared<builtin::echo_handler>()));
  EXPECT_EQ(registry.types(), std::vector<std::string>{"echo"});
}

} // namespace
} // namespace nzl::plugins
