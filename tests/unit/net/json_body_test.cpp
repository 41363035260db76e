#include "net/json_body.hpp"

#include <gtest/gtest.h>

namespace nzl::net {
namespace {

TEST(JsonBodyTest, RecognisesJsonMediaTypes) {
  EXPECT_TRUE(is_json_media_type("application/json"));
  EXPECT_TRUE(is_json_media_type("Application/JSON; charset=utf-8"));
  EXPECT_TRUE(is_json_media_type("application/vnd.api+json"));
  EXPECT_TRUE(is_json_media_type(" application/json "));
  EXPECT_FALSE(is_json_media_type("text/plain"));
  EXPECT_FALSE(is_json_media_type("application/x-www-form-urlencoded"));
  EXPECT_FALSE(is_json_media_type("application/jsonx"));
  EXPECT_FALSE(is_json_media_type("application/+json"));
  EXPECT_FALSE(is_json_media_type(""));
}

TEST(JsonBodyTest, ParsesValidJson) {
  auto doc = parse_json_body(R"({"a": [1, 2, {"b": null}]})", 8);
  ASSERT_TRUE(doc);
  EXPECT_EQ((*doc)["a"][1], 2);
}

TEST(JsonBodyTest, MalformedJsonSaysWhereItBroke) {
  auto doc = parse_json_body("{\n  \"a\": 1,\n  \"b\": tru\n}", 8);
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.err().code, errc::invalid_json);
  EXPECT_EQ(doc.err().extensions["line"], 3);
  EXPECT_NE(doc.err().detail.find("line 3"), std::string::npos) << doc.err().detail;
}

TEST(JsonBodyTest, EmptyBodyIsMalformed) {
  auto doc = parse_json_body("", 8);
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.err().code, errc::invalid_json);
}

TEST(JsonBodyTest, RefusesNestingBeyondTheLimitBeforeParsing) {
  std::string deep(100000, '[');
  auto doc = parse_json_body(deep, 64);
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.err().code, errc::invalid_json);
  EXPECT_EQ(doc.err().extensions["byte"], 64);
}

TEST(JsonBodyTest, BracketsInsideStringsDoNotCountAsNesting) {
  auto doc = parse_json_body(R"({"s": "[[[[[[[[[[\"[[[["})", 2);
  EXPECT_TRUE(doc);
}

TEST(JsonBodyTest, InvalidUtf8IsRefused) {
  auto doc = parse_json_body("{\"s\": \"\xff\xfe\"}", 8);
  EXPECT_FALSE(doc);
}

TEST(JsonBodyTest, SerialisingInvalidUtf8NeverThrows) {
  nlohmann::json v = std::string("\xff ok");
  EXPECT_NO_THROW((void)to_json_text(v));
}

} // namespace
} // namespace nzl::net
