#include "plugins/schema/schema_cache.hpp"

#include <gtest/gtest.h>

namespace nzl::schema {
namespace {

using nlohmann::json;

TEST(SchemaCacheTest, CompilesEachSchemaOnce) {
  schema_cache cache(4);
  const json s = json::parse(R"({"type": "integer"})");
  for (int i = 0; i < 10; ++i) {
    auto plan = cache.get(s, {});
    ASSERT_TRUE(plan.has_value());
    EXPECT_TRUE(plan->is_valid(i));
  }
  auto st = cache.statistics();
  EXPECT_EQ(st.misses, 1u);
  EXPECT_EQ(st.hits, 9u);
  EXPECT_EQ(st.size, 1u);
}

TEST(SchemaCacheTest, OptionsArePartOfTheKey) {
  schema_cache cache(4);
  const json s = json::parse(R"({"format": "email"})");
  compile_options asserting;
  asserting.assert_formats = true;
  EXPECT_TRUE(cache.get(s, {})->is_valid("not an email"));
  EXPECT_FALSE(cache.get(s, asserting)->is_valid("not an email"));
  EXPECT_EQ(cache.statistics().size, 2u);
}

TEST(SchemaCacheTest, EvictsLeastRecentlyUsed) {
  schema_cache cache(2);
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(cache.get(json{{"maximum", i}}, {}).has_value());
  EXPECT_EQ(cache.statistics().size, 2u);
}

TEST(SchemaCacheTest, CompileErrorsAreNotCached) {
  schema_cache cache(2);
  EXPECT_FALSE(cache.get(json{{"type", 5}}, {}).has_value());
  EXPECT_EQ(cache.statistics().size, 0u);
}

} // namespace
} // namespace nzl::schema
