#include "plugins/schema/validator.hpp"

#include <gtest/gtest.h>

namespace nzl::schema {
namespace {

using nlohmann::json;

error compile_error(const json& s) {
  auto r = compile(s);
  EXPECT_FALSE(r.has_value());
  if (r)
    return {};
  return r.err();
}

TEST(BadSchemaTest, NotASchema) {
  auto e = compile_error(json::array({1, 2}));
  EXPECT_EQ(e.code, errc::invalid_field);
  EXPECT_EQ(e.extensions["keywordLocation"], "");
}

TEST(BadSchemaTest, UnknownDraft) {
  auto e = compile_error(json::parse(R"({"$schema": "https://example.com/my-draft"})"));
  EXPECT_EQ(e.extensions["keywordLocation"], "/$schema");
}

TEST(BadSchemaTest, UnresolvableRef) {
  auto e = compile_error(json::parse(R"({"properties": {"a": {"$ref": "#/$defs/missing"}}})"));
  EXPECT_EQ(e.extensions["keywordLocation"], "/properties/a/$ref");
}

TEST(BadSchemaTest, RemoteRefIsNeverFetched) {
  auto e = compile_error(json::parse(R"({"$ref": "https://example.com/schema.json"})"));
  EXPECT_NE(e.detail.find("never fetched"), std::string::npos) << e.detail;
}

TEST(BadSchemaTest, RegexThatDoesNotCompile) {
  auto e = compile_error(json::parse(R"({"pattern": "(unclosed"})"));
  EXPECT_EQ(e.extensions["keywordLocation"], "/pattern");
  auto p = compile_error(json::parse(R"({"patternProperties": {"[": true}})"));
  EXPECT_EQ(p.extensions["keywordLocation"], "/patternProperties");
}

TEST(BadSchemaTest, RecursionWithoutProgress) {
  compile_error(json::parse(R"({"$ref": "#"})"));
  compile_error(json::parse(R"({"$defs": {"a": {"allOf": [{"$ref": "#/$defs/b"}]},
                                           "b": {"anyOf": [{"$ref": "#/$defs/a"}]}},
                                "$ref": "#/$defs/a"})"));
}

TEST(BadSchemaTest, RecursionThroughPropertiesIsFine) {
  auto r = compile(json::parse(R"({"properties": {"child": {"$ref": "#"}}, "type": "object"})"));
  ASSERT_TRUE(r.has_value());
  json doc = json::object();
  json* cur = &doc;
  for (int i = 0; i < 50; ++i)
    cur = &((*cur)["child"] = json::object());
  EXPECT_TRUE(r->is_valid(doc));
}

TEST(BadSchemaTest, WrongKeywordShapes) {
  compile_error(json::parse(R"({"type": "strin"})"));
  compile_error(json::parse(R"({"minLength": -1})"));
  compile_error(json::parse(R"({"required": "a"})"));
  compile_error(json::parse(R"({"allOf": []})"));
  compile_error(json::parse(R"({"properties": {"a": 3}})"));
  compile_error(json::parse(R"({"multipleOf": 0})"));
}

TEST(BadSchemaTest, DeepSchemaIsBounded) {
  json s = json::object();
  json* cur = &s;
  for (int i = 0; i < 1000; ++i)
    cur = &((*cur)["not"] = json::object());
  auto e = compile_error(s);
  EXPECT_NE(e.detail.find("nested deeper"), std::string::npos) << e.detail;
}

TEST(BadSchemaTest, DeepInstanceIsBounded) {
  auto r = compile(json::parse(R"({"$defs": {"t": {"items": {"$ref": "#/$defs/t"}}},
                                   "$ref": "#/$defs/t"})"));
  ASSERT_TRUE(r.has_value());
  json doc = json::array();
  json* cur = &doc;
  for (int i = 0; i < 2000; ++i) {
    cur->push_back(json::array());
    cur = &(*cur)[0];
  }
  EXPECT_FALSE(r->is_valid(doc));
  auto errors = r->validate(doc);
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors.back().error.find("nested deeper"), std::string::npos);
}

} // namespace
} // namespace nzl::schema
