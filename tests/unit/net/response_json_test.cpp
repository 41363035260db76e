#include "net/response_json.hpp"

#include <gtest/gtest.h>

namespace nzl::net {
namespace {

using nlohmann::json;

TEST(ResponseJsonTest, RoundTrips) {
  http_response r;
  r.status = 202;
  r.content_type = "application/problem+json";
  r.body = R"({"id":"t1"})";
  r.headers = {{"Location", "/v3/tasks/t1"}, {"X-Served-By-Node", "n1"}};
  auto back = response_from_json(response_to_json(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->status, 202);
  EXPECT_EQ(back->content_type, r.content_type);
  EXPECT_EQ(back->body, r.body);
  EXPECT_EQ(back->headers, r.headers);
}

// The input may come from a peer or the disk: anything malformed is
// refused, never thrown on.
TEST(ResponseJsonTest, RefusesMalformedInput) {
  const auto good = response_to_json(http_response{});
  EXPECT_TRUE(response_from_json(good));
  for (const char* field : {"status", "content_type", "body", "headers"}) {
    auto doc = good;
    doc.erase(field);
    EXPECT_FALSE(response_from_json(doc)) << "without " << field;
    doc[field] = json::object();
    EXPECT_FALSE(response_from_json(doc)) << field << " an object";
  }
  for (auto bad : {json(1), json::array(), json(nullptr), json("x")})
    EXPECT_FALSE(response_from_json(bad)) << bad.dump();
  auto status = good;
  status["status"] = 42;
  EXPECT_FALSE(response_from_json(status));
  for (auto header : {json::array({"only-name"}), json::array({1, "v"}), json("h: v")}) {
    auto doc = good;
    doc["headers"] = json::array({header});
    EXPECT_FALSE(response_from_json(doc)) << header.dump();
  }
}

} // namespace
} // namespace nzl::net
