#include "cluster/cluster_control.hpp"
#include "fake_task_service.hpp"
#include "net/api.hpp"

#include <gtest/gtest.h>

namespace nzl::net {
namespace {

using nlohmann::json;

using fake_service = testing::fake_task_service;

class ApiTest : public ::testing::Test {
protected:
  http_response call(http_method method, std::string target, std::string body = {},
                     std::string content_type = "application/json", std::string idem_key = {}) {
    http_request req;
    req.idempotency_key = std::move(idem_key);
    req.method = method;
    req.target = std::move(target);
    req.body = std::move(body);
    req.content_type = std::move(content_type);
    req.request_id = "rid-1";
    http_response out;
    bool called = false;
    api_.handle(std::move(req), [&](http_response res) {
      out = std::move(res);
      called = true;
    });
    EXPECT_TRUE(called);
    return out;
  }

  static json body_of(const http_response& res) { return json::parse(res.body); }
  static std::string header(const http_response& res, std::string_view name) {
    for (auto& [k, v] : res.headers)
      if (k == name)
        return v;
    return {};
  }

  fake_service service_;
  api api_{service_, api_options{3, 16, 1000, "1.2.3"}};
};

TEST_F(ApiTest, RunsAV3Task) {
  auto res = call(http_method::post, "/v3/tasks", R"({"type":"echo","payload":{"a":1}})");
  EXPECT_EQ(res.status, 200);
  auto doc = body_of(res);
  EXPECT_EQ(doc["status"], "completed");
  EXPECT_EQ(doc["result"], json({{"a", 1}}));
  EXPECT_EQ(doc["region"], "test-region");
  EXPECT_EQ(doc["type"], "echo");
  EXPECT_TRUE(doc.contains("id"));
  EXPECT_TRUE(doc["duration_ms"].is_number());
}

TEST_F(ApiTest, CapsTheTaskTimeoutAtTheNodeLimit) {
  call(http_method::post, "/v3/tasks", R"({"type":"echo","options":{"timeout_ms":999999}})");
  EXPECT_EQ(service_.last_timeout, 1000u);
  call(http_method::post, "/v3/tasks", R"({"type":"echo","options":{"timeout_ms":50}})");
  EXPECT_EQ(service_.last_timeout, 50u);
}

TEST_F(ApiTest, FailedTaskIsAProblemDocument) {
  auto res = call(http_method::post, "/v3/tasks", R"({"type":"boom"})");
  EXPECT_EQ(res.status, 422);
  EXPECT_EQ(res.content_type, "application/problem+json");
  auto doc = body_of(res);
  EXPECT_EQ(doc["code"], "task_failed");
  EXPECT_EQ(doc["request_id"], "rid-1");
}

TEST_F(ApiTest, UnknownTypeListsKnownTypes) {
  auto res = call(http_method::post, "/v3/tasks", R"({"type":"nope"})");
  EXPECT_EQ(res.status, 422);
  EXPECT_EQ(body_of(res)["known_types"], json({"echo", "boom"}));
}

TEST_F(ApiTest, MalformedJsonIs400WithPosition) {
  auto res = call(http_method::post, "/v3/tasks", R"({"type": "echo",})");
  EXPECT_EQ(res.status, 400);
  auto doc = body_of(res);
  EXPECT_EQ(doc["code"], "invalid_json");
  EXPECT_EQ(doc["line"], 1);
}

TEST_F(ApiTest, NonJsonContentTypeIs415) {
  auto res = call(http_method::post, "/v3/tasks", "hello", "text/plain");
  EXPECT_EQ(res.status, 415);
}

TEST_F(ApiTest, MissingFieldIs400NamingIt) {
  auto res = call(http_method::post, "/v3/tasks", R"({"payload":{}})");
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(body_of(res)["field"], "type");
}

TEST_F(ApiTest, V2AnswersWithDeprecationHeaders) {
  auto res = call(http_method::post, "/api/delegate", R"({"task_type":"echo","task_data":[1]})");
  EXPECT_EQ(res.status, 200);
  auto doc = body_of(res);
  EXPECT_EQ(doc["success"], true);
  EXPECT_EQ(doc["task_type"], "echo");
  EXPECT_EQ(doc["result"], json({1}));
  EXPECT_FALSE(header(res, "Deprecation").empty());
  EXPECT_FALSE(header(res, "Sunset").empty());
  EXPECT_EQ(header(res, "Link"), "</v3/tasks>; rel=\"successor-version\"");
}

TEST_F(ApiTest, V2ErrorsKeepDeprecationHeaders) {
  auto res = call(http_method::post, "/api/delegate", R"({"task_data":[1]})");
  EXPECT_EQ(res.status, 400);
  EXPECT_FALSE(header(res, "Deprecation").empty());
}

TEST_F(ApiTest, V1IsGone) {
  auto res = call(http_method::post, "/api/v1/delegate", "{}");
  EXPECT_EQ(res.status, 410);
  EXPECT_EQ(body_of(res)["successor"], "/v3/tasks");
}

TEST_F(ApiTest, WrongMethodIs405WithAllow) {
  auto res = call(http_method::get, "/v3/tasks");
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(header(res, "Allow"), "POST");
}

TEST_F(ApiTest, UnknownPathIs404) {
  auto res = call(http_method::get, "/nowhere");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(body_of(res)["instance"], "/nowhere");
}

TEST_F(ApiTest, BatchAnswersInOrderWithPerTaskErrors) {
  auto res = call(http_method::post, "/v3/tasks/batch",
                  R"({"tasks":[{"type":"echo","payload":1},{"type":"boom"},{"payload":2}]})");
  EXPECT_EQ(res.status, 200);
  auto results = body_of(res)["results"];
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0]["status"], "completed");
  EXPECT_EQ(results[0]["result"], 1);
  EXPECT_EQ(results[1]["status"], "failed");
  EXPECT_EQ(results[1]["error"]["code"], "task_failed");
  EXPECT_EQ(results[2]["status"], "failed");
  EXPECT_EQ(results[2]["error"]["field"], "tasks[2].type");
}

TEST_F(ApiTest, BatchOverTheLimitIsRefusedWhole) {
  auto res = call(http_method::post, "/v3/tasks/batch",
                  R"({"tasks":[{"type":"echo"},{"type":"echo"},{"type":"echo"},{"type":"echo"}]})");
  EXPECT_EQ(res.status, 413);
  EXPECT_EQ(body_of(res)["code"], "batch_too_large");
}

TEST_F(ApiTest, AsyncTaskIsEnqueuedWith202AndLocation) {
  auto res = call(http_method::post, "/v3/tasks",
                  R"({"type":"echo","options":{"async":true,"queue":"q"}})");
  EXPECT_EQ(res.status, 202);
  auto doc = body_of(res);
  EXPECT_EQ(doc["queue"], "q");
  EXPECT_EQ(header(res, "Location"), "/v3/tasks/" + doc["id"].get<std::string>());
}

TEST_F(ApiTest, AsyncIsRefusedInV2AndInBatches) {
  EXPECT_EQ(
      call(http_method::post, "/api/delegate", R"({"task_type":"echo","options":{"async":true}})")
          .status,
      400);
  auto res = call(http_method::post, "/v3/tasks/batch",
                  R"({"tasks":[{"type":"echo","options":{"async":true}}]})");
  EXPECT_EQ(body_of(res)["results"][0]["error"]["field"], "options.async");
}

TEST_F(ApiTest, TaskAndQueueEndpointsReachTheService) {
  auto get = call(http_method::get, "/v3/tasks/abc");
  EXPECT_EQ(get.status, 404);
  EXPECT_EQ(body_of(get)["instance"], "/v3/tasks/abc");
  EXPECT_EQ(call(http_method::del, "/v3/tasks/abc").status, 404);
  EXPECT_EQ(call(http_method::post, "/v3/tasks/abc/retry").status, 404);
  auto q = call(http_method::get, "/v3/queues/emails");
  EXPECT_EQ(q.status, 200);
  EXPECT_EQ(body_of(q)["name"], "emails");
}

TEST_F(ApiTest, IdempotencyKeyReplaysTheFirstAnswerWithoutRunningAgain) {
  const std::string body = R"({"type":"echo","payload":{"a":1}})";
  auto first = call(http_method::post, "/v3/tasks", body, "application/json", "key-1");
  auto second = call(http_method::post, "/v3/tasks", body, "application/json", "key-1");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(header(second, "Idempotent-Replayed"), "true");
  EXPECT_EQ(service_.runs, 1);
}

TEST_F(ApiTest, IdempotencyKeyWithAnotherBodyIs422) {
  call(http_method::post, "/v3/tasks", R"({"type":"echo"})", "application/json", "key-2");
  auto res = call(http_method::post, "/v3/tasks", R"({"type":"echo","payload":2})",
                  "application/json", "key-2");
  EXPECT_EQ(res.status, 422);
  EXPECT_EQ(body_of(res)["code"], "idempotency_mismatch");
}

TEST_F(ApiTest, IdempotencyKeyIsReleasedAfterA5xx) {
  service_.is_ready = false; // 503
  EXPECT_EQ(
      call(http_method::post, "/v3/tasks", R"({"type":"echo"})", "application/json", "k3").status,
      503);
  service_.is_ready = true;
  EXPECT_EQ(
      call(http_method::post, "/v3/tasks", R"({"type":"echo"})", "application/json", "k3").status,
      200);
  EXPECT_EQ(service_.runs, 1);
}

TEST_F(ApiTest, IdempotencyKeeperThatDidNotAnswerIs503AndNothingRan) {
  service_.keeper_unreachable = true;
  auto res = call(http_method::post, "/v3/tasks", R"({"type":"echo"})", "application/json", "k4");
  EXPECT_EQ(res.status, 503);
  EXPECT_EQ(body_of(res)["code"], "unavailable");
  EXPECT_EQ(service_.runs, 0);
}

TEST_F(ApiTest, BadIdempotencyKeyIs400) {
  auto res = call(http_method::post, "/v3/tasks", R"({"type":"echo"})", "application/json",
                  std::string(300, 'k'));
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(body_of(res)["field"], "Idempotency-Key");
}

TEST_F(ApiTest, HealthAndReadiness) {
  auto health = call(http_method::get, "/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(body_of(health)["status"], "ok");
  EXPECT_EQ(body_of(health)["version"], "1.2.3");
  EXPECT_EQ(body_of(health)["region"], "test-region");
  EXPECT_EQ(call(http_method::get, "/ready").status, 200);
  service_.is_ready = false;
  auto ready = call(http_method::get, "/ready");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(header(ready, "Retry-After"), "1");
  EXPECT_EQ(call(http_method::post, "/v3/tasks", R"({"type":"echo"})").status, 503);
}

} // namespace
} // namespace nzl::net

namespace nzl::net {
namespace {

// The hot path writes its answer as text: it must stay the JSON the
// contract describes, whatever the payload holds.
TEST_F(ApiTest, CompletedAnswerIsWellFormedJsonForAwkwardPayloads) {
  for (const char* payload : {R"("quote \" and \\ and \u0001")", R"({"k":[1,2.5,null,true]})",
                              R"(1e300)", R"("\u00e9\ud83d\ude00")", R"([])"}) {
    auto res = call(http_method::post, "/v3/tasks",
                    std::string{R"({"type":"echo","payload":)"} + payload + "}");
    ASSERT_EQ(res.status, 200) << payload;
    auto doc = nlohmann::json::parse(res.body, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << res.body;
    EXPECT_EQ(doc["result"], nlohmann::json::parse(payload));
    EXPECT_EQ(doc["status"], "completed");
    EXPECT_EQ(doc["type"], "echo");
    EXPECT_EQ(doc["region"], "test-region");
    EXPECT_TRUE(doc["duration_ms"].is_number());
    EXPECT_EQ(doc.size(), 6u);
  }
}

// The cluster routes over a service that is a cluster (issue 5).
class fake_cluster : public fake_service, public nzl::cluster::cluster_control {
public:
  nlohmann::json status() const override { return {{"regions", nlohmann::json::array()}}; }
  void failover(std::string from, std::string to,
                nzl::cluster::cluster_control::json_handler done) override {
    done(nlohmann::json{{"from", from}, {"to", to}});
  }
  void failback(std::string region, nzl::cluster::cluster_control::json_handler done) override {
    done(nlohmann::json{{"region", region}});
  }
};

TEST(ApiClusterTest, FailoverAndFailbackBodiesMustBeObjectsNamingTheirRegions) {
  fake_cluster cluster;
  api a{cluster, api_options{3, 16, 1000, "1.2.3"}};
  auto call = [&](std::string target, std::string body) {
    http_request req;
    req.method = http_method::post;
    req.target = std::move(target);
    req.body = std::move(body);
    req.content_type = "application/json";
    req.request_id = "rid-c";
    http_response out;
    a.handle(std::move(req), [&](http_response res) { out = std::move(res); });
    return out;
  };
  for (const char* body : {"[1]", "null", "\"eu-west\"", "3"}) {
    auto r = call("/v3/admin/cluster/failover", body);
    EXPECT_EQ(r.status, 400u) << body;
    EXPECT_EQ(json::parse(r.body)["detail"], "the body must be a JSON object") << body;
    EXPECT_EQ(call("/v3/admin/cluster/failback", body).status, 400u) << body;
  }
  auto missing = call("/v3/admin/cluster/failover", "{}");
  EXPECT_EQ(missing.status, 400u);
  EXPECT_EQ(json::parse(missing.body)["field"], "from");
  auto ok = call("/v3/admin/cluster/failover", R"({"from":"us-east","to":"eu-west"})");
  EXPECT_EQ(ok.status, 200u) << ok.body;
  EXPECT_EQ(json::parse(ok.body)["to"], "eu-west");
}

} // namespace
} // namespace nzl::net
