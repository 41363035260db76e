#include "plugins/builtin/json_validator_handler.hpp"

#include <gtest/gtest.h>

namespace nzl::plugins::builtin {
namespace {

using nlohmann::json;

class fake_context final : public handler_context {
public:
  void progress(int, std::string_view) override {}
  bool cancelled() const noexcept override { return cancelled_; }
  std::string_view region() const noexcept override { return "test"; }
  bool cancelled_ = false;
};

class JsonValidatorHandlerTest : public testing::Test {
protected:
  result<json> run(const char* payload) { return handler_.run(json::parse(payload), ctx_); }
  json_validator_handler handler_;
  fake_context ctx_;
};

TEST_F(JsonValidatorHandlerTest, ValidDocument) {
  auto r = run(R"({"schema": {"type": "object"}, "data": {}})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, json::parse(R"({"valid": true, "errors": [], "suggestions": []})"));
}

TEST_F(JsonValidatorHandlerTest, ErrorsAndSuggestionsInBasicFormat) {
  auto r = run(R"({"schema": {"properties": {"port": {"type": "integer"}},
                              "additionalProperties": false},
                   "data": {"port": "8080", "prot": 1}})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)["valid"], false);
  EXPECT_EQ((*r)["errors"].size(), 2u);
  EXPECT_EQ((*r)["errors"][0]["instanceLocation"], "/port");
  EXPECT_EQ((*r)["errors"][0]["keywordLocation"], "/properties/port/type");
  EXPECT_EQ((*r)["suggestions"][0]["suggestion"], "\"8080\" is a string; 8080 would pass");
  EXPECT_EQ((*r)["errors"][1]["instanceLocation"], "/prot");
  EXPECT_EQ((*r)["suggestions"][1]["suggestion"], "did you mean \"port\"?");
}

TEST_F(JsonValidatorHandlerTest, DraftOptionAndProvidedSchemas) {
  auto r = run(R"({"schema": {"$ref": "https://example.com/port.json"},
                   "schemas": {"https://example.com/port.json": {"type": "integer", "maximum": 65535}},
                   "data": 70000, "options": {"draft": "7"}})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)["valid"], false);
  EXPECT_EQ((*r)["errors"][0]["error"], "must be <= 65535");
}

TEST_F(JsonValidatorHandlerTest, FormatAssertionIsOptIn) {
  auto annot = run(R"({"schema": {"format": "ipv4"}, "data": "300.1.1.1"})");
  ASSERT_TRUE(annot.has_value());
  EXPECT_EQ((*annot)["valid"], true);
  auto assert_ = run(R"({"schema": {"format": "ipv4"}, "data": "300.1.1.1",
                         "options": {"assert_formats": true}})");
  ASSERT_TRUE(assert_.has_value());
  EXPECT_EQ((*assert_)["valid"], false);
}

TEST_F(JsonValidatorHandlerTest, MissingFieldsAreInvalidField) {
  auto r = run(R"({"data": 1})");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.err().code, errc::invalid_field);
  EXPECT_EQ(r.err().extensions["field"], "payload.schema");
  auto d = run(R"({"schema": {}})");
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.err().extensions["field"], "payload.data");
}

TEST_F(JsonValidatorHandlerTest, BadSchemaIsTaskFailed) {
  for (const char* p :
       {R"({"schema": 5, "data": 1})", R"({"schema": {"$ref": "#/nowhere"}, "data": 1})",
        R"({"schema": {"pattern": "(("}, "data": 1})", R"({"schema": {"$ref": "#"}, "data": 1})",
        R"({"schema": {"$schema": "https://example.com/x"}, "data": 1})",
        R"({"schema": {}, "data": 1, "options": {"draft": "2077"}})"}) {
    auto r = run(p);
    ASSERT_FALSE(r.has_value()) << p;
    EXPECT_EQ(r.err().code, errc::task_failed) << p;
    EXPECT_EQ(r.err().extensions["problem"], "invalid-schema") << p;
  }
}

TEST_F(JsonValidatorHandlerTest, SchemaIsCompiledOnce) {
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(run(R"({"schema": {"type": "string"}, "data": "x"})").has_value());
  EXPECT_EQ(handler_.cache_statistics().misses, 1u);
  EXPECT_EQ(handler_.cache_statistics().hits, 4u);
}

TEST_F(JsonValidatorHandlerTest, CancelledBeforeValidation) {
  ctx_.cancelled_ = true;
  auto r = run(R"({"schema": {}, "data": 1})");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.err().code, errc::task_cancelled);
}

} // namespace
} // namespace nzl::plugins::builtin
