#include "plugins/schema/validator.hpp"

#include <gtest/gtest.h>

namespace nzl::schema {
namespace {

using nlohmann::json;

compiled_schema must_compile(const json& s, const compile_options& o = {}) {
  auto r = compile(s, o);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.err().detail);
  if (!r)
    return compile(json::object()).value();
  return std::move(r).value();
}

const json manifest_schema = json::parse(R"({
  "$defs": {
    "port": {"type": "integer", "minimum": 1, "maximum": 65535},
    "region": {
      "type": "object",
      "required": ["name", "http"],
      "properties": {
        "name": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$", "minLength": 2, "maxLength": 32},
        "http": {
          "type": "object",
          "properties": {"port": {"$ref": "#/$defs/port"}, "host": {"type": "string"}},
          "additionalProperties": false
        },
        "tier": {"enum": ["edge", "core"]}
      },
      "additionalProperties": false
    }
  },
  "type": "object",
  "required": ["regions"],
  "properties": {
    "regions": {"type": "array", "items": {"$ref": "#/$defs/region"}, "minItems": 1, "uniqueItems": true}
  }
})");

TEST(ValidatorTest, AcceptsValidManifest) {
  auto s = must_compile(manifest_schema);
  json doc = {{"regions", {{{"name", "eu-west"}, {"http", {{"port", 8080}}}, {"tier", "edge"}}}}};
  EXPECT_TRUE(s.is_valid(doc));
  EXPECT_TRUE(s.validate(doc).empty());
}

TEST(ValidatorTest, NamesInstanceLocationOfTooLargePort) {
  auto s = must_compile(manifest_schema);
  json doc = {{"regions", {{{"name", "eu-west"}, {"http", {{"port", 70000}}}}}}};
  EXPECT_FALSE(s.is_valid(doc));
  auto errors = s.validate(doc);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].instance_location, "/regions/0/http/port");
  EXPECT_EQ(errors[0].keyword_location,
            "/properties/regions/items/$ref/properties/http/properties/port/$ref/maximum");
  EXPECT_EQ(errors[0].error, "must be <= 65535");
}

TEST(ValidatorTest, ReportsEveryError) {
  auto s = must_compile(manifest_schema);
  json doc = {{"regions", {{{"name", "X"}, {"htp", {}}, {"tier", "edgy"}}}}};
  auto errors = s.validate(doc);
  std::vector<std::string> messages;
  for (const auto& e : errors)
    messages.push_back(e.instance_location + " " + e.error + " | " + e.suggestion);
  EXPECT_EQ(errors.size(), 5u) << testing::PrintToString(messages);
  bool typo = false;
  for (const auto& e : errors)
    if (e.error == "must not have additional property 'htp'")
      typo = e.suggestion == "did you mean \"http\"?";
  EXPECT_TRUE(typo) << testing::PrintToString(messages);
}

TEST(ValidatorTest, TypeErrorSuggestsConversion) {
  auto s = must_compile(json::parse(R"({"properties": {"n": {"type": "integer"}}})"));
  auto errors = s.validate(json::parse(R"({"n": "42"})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].instance_location, "/n");
  EXPECT_EQ(errors[0].error, "must be integer, but is string");
  EXPECT_EQ(errors[0].suggestion, "\"42\" is a string; 42 would pass");
}

TEST(ValidatorTest, RequiredSuggestsDefault) {
  auto s = must_compile(json::parse(
      R"({"required": ["port"], "properties": {"port": {"type": "integer", "default": 8080}}})"));
  auto errors = s.validate(json::object());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].error, "must have required property 'port'");
  EXPECT_EQ(errors[0].suggestion, "add the property \"port\", e.g. \"port\": 8080");
}

TEST(ValidatorTest, EnumSuggestsClosestValue) {
  auto s = must_compile(json::parse(R"({"enum": ["red", "green", "blue"]})"));
  auto errors = s.validate("bleu");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].suggestion, "did you mean \"blue\"?");
}

TEST(ValidatorTest, CombinatorsAndNumbers) {
  auto s = must_compile(json::parse(R"({
    "anyOf": [{"type": "string", "maxLength": 3}, {"type": "number", "exclusiveMinimum": 0}],
    "not": {"const": "bad"}
  })"));
  EXPECT_TRUE(s.is_valid("abc"));
  EXPECT_FALSE(s.is_valid("abcd"));
  EXPECT_FALSE(s.is_valid("bad"));
  EXPECT_TRUE(s.is_valid(0.5));
  EXPECT_FALSE(s.is_valid(0));
  auto one = must_compile(json::parse(R"({"oneOf": [{"minimum": 2}, {"maximum": 4}]})"));
  EXPECT_TRUE(one.is_valid(1));
  EXPECT_FALSE(one.is_valid(3));
  EXPECT_TRUE(one.is_valid(5));
}

TEST(ValidatorTest, PrefixItemsAndPatternProperties) {
  auto s = must_compile(json::parse(R"({
    "prefixItems": [{"type": "string"}], "items": {"type": "integer"},
    "minItems": 1, "maxItems": 3
  })"));
  EXPECT_TRUE(s.is_valid(json::parse(R"(["a", 1, 2])")));
  EXPECT_FALSE(s.is_valid(json::parse(R"(["a", "b"])")));
  EXPECT_FALSE(s.is_valid(json::parse(R"(["a", 1, 2, 3])")));
  auto p = must_compile(json::parse(
      R"({"patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": false,
        "minProperties": 1})"));
  EXPECT_TRUE(p.is_valid(json::parse(R"({"x-a": "1"})")));
  EXPECT_FALSE(p.is_valid(json::parse(R"({"x-a": 1})")));
  EXPECT_FALSE(p.is_valid(json::parse(R"({"y": "1"})")));
  EXPECT_FALSE(p.is_valid(json::object()));
}

TEST(ValidatorTest, DefinitionsRefInDraft7) {
  compile_options o;
  o.default_draft = draft::draft7;
  auto s = must_compile(
      json::parse(R"({"definitions": {"a": {"type": "string"}}, "$ref": "#/definitions/a"})"), o);
  EXPECT_TRUE(s.is_valid("x"));
  EXPECT_FALSE(s.is_valid(1));
}

} // namespace
} // namespace nzl::schema
