// The HTTP API of a real node process through a real client (Beast): every
// endpoint and every bad-input case of issue 2. One node per suite (ctest runs
// each TEST in its own process, so in practice one node per test: start-up is
// ~20 ms); its limits are small where a test needs to cross them.
#include "tests/support/http_client.hpp"
#include "tests/support/node_process.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/problem_check.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace nzl::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr std::size_t max_batch_tasks = 5;
constexpr std::size_t max_body_bytes = 64 * 1024;

class HttpApiTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    node_options options;
    options.limits = {{"max_batch_tasks", max_batch_tasks}, {"max_body_bytes", max_body_bytes}};
    node_ = std::make_unique<node_process>(options);
    started_ = node_->start();
  }

  static void TearDownTestSuite() { node_.reset(); }

  void SetUp() override { ASSERT_TRUE(started_); }

  static std::uint16_t port() { return node_->port(); }

  static inline std::unique_ptr<node_process> node_;
  static inline ::testing::AssertionResult started_ = ::testing::AssertionFailure();
};

// --- v3 tasks -----------------------------------------------------------------

TEST_F(HttpApiTest, EchoAnswersCompletedTaskWithPayloadAsResult) {
  http_client client{port()};
  const json payload = {{"message", "hello"}, {"n", {1, 2, 3}}, {"nested", {{"ok", true}}}};
  auto reply = client.post("/v3/tasks", json{{"type", "echo"}, {"payload", payload}}.dump());
  ASSERT_TRUE(reply) << client.error();
  EXPECT_EQ(reply->status, 200u) << reply->body;
  EXPECT_EQ(reply->header("Content-Type"), "application/json");
  auto body = reply->json();
  ASSERT_TRUE(body.is_object()) << reply->body;
  ASSERT_TRUE(body.contains("id") && body["id"].is_string()) << reply->body;
  EXPECT_FALSE(body["id"].get<std::string>().empty());
  EXPECT_EQ(body.value("type", ""), "echo");
  EXPECT_EQ(body.value("status", ""), "completed");
  EXPECT_EQ(body["result"], payload);
  EXPECT_EQ(body.value("region", ""), "test-region");
  ASSERT_TRUE(body.contains("duration_ms") && body["duration_ms"].is_number()) << reply->body;
  EXPECT_GE(body["duration_ms"].get<double>(), 0.0);
}

TEST_F(HttpApiTest, EchoWithoutPayloadReturnsEmptyObject) {
  http_client client{port()};
  auto reply = client.post("/v3/tasks", R"({"type":"echo"})");
  ASSERT_TRUE(reply) << client.error();
  EXPECT_EQ(reply->status, 200u) << reply->body;
  EXPECT_EQ(reply->json()["result"], json::object());
}

TEST_F(HttpApiTest, ServesManyRequestsOnOneKeptAliveConnection) {
  http_client client{port()};
  ASSERT_TRUE(client.connect()) << client.error();
  const auto local = client.local_port();
  for (int i = 0; i < 6; ++i) {
    auto reply = i % 3 == 2   ? client.request("GET", "/nowhere")
                 : i % 3 == 1 ? client.request("GET", "/health")
                              : client.post("/v3/tasks",
                                            json{{"type", "echo"}, {"payload", {{"i", i}}}}.dump());
    ASSERT_TRUE(reply) << "request " << i << ": " << client.error();
    EXPECT_TRUE(reply->keep_alive) << "request " << i;
    if (i % 3 == 0) {
      EXPECT_EQ(reply->status, 200u);
      EXPECT_EQ(reply->json()["result"]["i"], i);
    }
    // Still the same connection: the client reconnects only when closed.
    ASSERT_TRUE(client.is_open()) << "request " << i;
    ASSERT_EQ(client.local_port(), local) << "request " << i;
  }
}

TEST_F(HttpApiTest, AnswersPipelinedRequestsInOrder) {
  http_client client{port()};
  std::string two;
  for (int i = 0; i < 2; ++i) {
    const std::string body = R"({"type":"echo","payload":{"i":)" + std::to_string(i) + "}}";
    two += "POST /v3/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }
  ASSERT_TRUE(client.send_raw(two)) << client.error();
  for (int i = 0; i < 2; ++i) {
    auto reply = client.read_reply();
    ASSERT_TRUE(reply) << "reply " << i << ": " << client.error();
    EXPECT_EQ(reply->status, 200u);
    EXPECT_EQ(reply->json()["result"]["i"], i) << reply->body;
  }
}

TEST_F(HttpApiTest, AcceptsChunkedBody) {
  http_client client{port()};
  const std::string part1 = R"({"type":"echo",)";
  const std::string part2 = R"("payload":{"chunked":true}})";
  char size1[16];
  char size2[16];
  std::snprintf(size1, sizeof size1, "%zx", part1.size());
  std::snprintf(size2, sizeof size2, "%zx", part2.size());
  ASSERT_TRUE(client.send_raw(
      "POST /v3/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
      std::string{size1} + "\r\n" + part1 + "\r\n" + size2 + "\r\n" + part2 + "\r\n0\r\n\r\n"))
      << client.error();
  auto reply = client.read_reply();
  ASSERT_TRUE(reply) << client.error();
  EXPECT_EQ(reply->status, 200u) << reply->body;
  EXPECT_EQ(reply->json()["result"], json({{"chunked", true}}));
}

TEST_F(HttpApiTest, ClosesAfterAnsweringConnectionClose) {
  http_client client{port()};
  auto reply = client.request("GET", "/health", {}, {{"Connection", "close"}});
  ASSERT_TRUE(reply) << client.error();
  EXPECT_EQ(reply->status, 200u);
  EXPECT_FALSE(reply->keep_alive);
  EXPECT_TRUE(client.wait_closed(10s));
}

TEST_F(HttpApiTest, TaskOverItsTimeoutIs504) {
  http_client client{port()};
  // 50 steps of 100 ms against a 10 ms deadline: the deadline wins by far.
  auto reply = client.post(
      "/v3/tasks",
      R"({"type":"echo","payload":{"steps":50,"step_ms":100},"options":{"timeout_ms":10}})");
  ASSERT_TRUE(reply) << client.error();
  EXPECT_TRUE(is_problem(*reply, 504, "task_timeout"));
  EXPECT_EQ(reply->json().value("timeout_ms", 0), 10) << reply->body;
}

// --- X-Request-Id ---------------------------------------------------------------

TEST_F(HttpApiTest, EchoesSaneRequestIdOnSuccessAndError) {
  http_client client{port()};
  const std::string id = "it-Request_1.2:3";
  auto ok = client.post("/v3/tasks", R"({"type":"echo"})", {{"X-Request-Id", id}});
  ASSERT_TRUE(ok) << client.error();
  EXPECT_EQ(ok->status, 200u);
  EXPECT_EQ(ok->header("X-Request-Id"), id);

  auto missing = client.request("GET", "/nowhere", {}, {{"X-Request-Id", id}});
  ASSERT_TRUE(missing) << client.error();
  EXPECT_TRUE(is_problem(*missing, 404, "not_found"));
  EXPECT_EQ(missing->header("X-Request-Id"), id);
  EXPECT_EQ(missing->json().value("request_id", ""), id);

  auto bad = client.post("/v3/tasks", R"({"type":)", {{"X-Request-Id", id}});
  ASSERT_TRUE(bad) << client.error();
  EXPECT_TRUE(is_problem(*bad, 400, "invalid_json"));
  EXPECT_EQ(bad->header("X-Request-Id"), id);
}

TEST_F(HttpApiTest, GeneratesRequestIdWhenAbsent) {
  http_client client{port()};
  auto first = client.request("GET", "/health");
  auto second = client.request("GET", "/nowhere");
  ASSERT_TRUE(first && second) << client.error();
  const auto a = first->header("X-Request-Id");
  const auto b = second->header("X-Request-Id");
  EXPECT_TRUE(is_sane_id(a)) << a;
  EXPECT_TRUE(is_sane_id(b)) << b;
  EXPECT_NE(a, b);
  EXPECT_TRUE(is_problem(*second, 404, "not_found"));
}

TEST_F(HttpApiTest, ReplacesInsaneRequestId) {
  http_client client{port()};
  const std::string spaced = "has spaces in it";
  const std::string too_long(129, 'a');
  const std::string quoted = "id\"with{json}";
  for (const auto& insane : {spaced, too_long, quoted}) {
    auto ok = client.post("/v3/tasks", R"({"type":"echo"})", {{"X-Request-Id", insane}});
    ASSERT_TRUE(ok) << client.error();
    EXPECT_EQ(ok->status, 200u);
    EXPECT_NE(ok->header("X-Request-Id"), insane);
    EXPECT_TRUE(is_sane_id(ok->header("X-Request-Id"))) << ok->header("X-Request-Id");

    auto err = client.request("DELETE", "/health", {}, {{"X-Request-Id", insane}});
    ASSERT_TRUE(err) << client.error();
    EXPECT_TRUE(is_problem(*err, 405, "method_not_allowed"));
    EXPECT_NE(err->header("X-Request-Id"), insane);
    EXPECT_TRUE(is_sane_id(err->header("X-Request-Id")));
  }
}

TEST_F(HttpApiTest, LogsOneLinePerRequestWithItsId) {
  http_client client{port()};
  auto ok = client.post("/v3/tasks", R"({"type":"echo"})", {{"X-Request-Id", "log-me-1"}});
  auto missing = client.request("GET", "/nowhere", {}, {{"X-Request-Id", "log-me-2"}});
  ASSERT_TRUE(ok && missing) << client.error();
  // The node logs a request once its response is written: poll the log.
  auto line_of = [&](const std::string& id) {
    json found;
    eventually(
        [&] {
          for (auto& line : node_->log_events("request"))
            if (line.value("request_id", "") == id)
              found = std::move(line);
          return !found.is_null();
        },
        10s);
    return found;
  };
  auto first = line_of("log-me-1");
  ASSERT_TRUE(first.is_object()) << node_->log_text();
  EXPECT_EQ(first.value("method", ""), "POST");
  EXPECT_EQ(first.value("path", ""), "/v3/tasks");
  EXPECT_EQ(first.value("status", 0), 200);
  EXPECT_TRUE(first.contains("duration_ms")) << first;
  auto second = line_of("log-me-2");
  ASSERT_TRUE(second.is_object()) << node_->log_text();
  EXPECT_EQ(second.value("status", 0), 404);
  EXPECT_EQ(second.value("path", ""), "/nowhere");
}

// --- batch ----------------------------------------------------------------------

TEST_F(HttpApiTest, BatchAnswersInRequestOrderWithPerTaskErrors) {
  http_client client{port()};
  const json tasks = json::array({
      {{"type", "echo"}, {"payload", {{"n", 0}}}},
      {{"type", 5}},
      {{"type", "no-such-type"}},
      {{"type", "echo"}, {"payload", {{"steps", 2}, {"step_ms", 1}}}},
      {{"type", "echo"}, {"payload", {{"n", 4}}}},
  });
  auto reply = client.post("/v3/tasks/batch", json{{"tasks", tasks}}.dump());
  ASSERT_TRUE(reply) << client.error();
  ASSERT_EQ(reply->status, 200u) << reply->body;
  auto results = reply->json()["results"];
  ASSERT_TRUE(results.is_array()) << reply->body;
  ASSERT_EQ(results.size(), tasks.size()) << reply->body;

  EXPECT_EQ(results[0].value("status", ""), "completed");
  EXPECT_EQ(results[0]["result"], json({{"n", 0}}));
  EXPECT_EQ(results[0].value("type", ""), "echo");

  EXPECT_EQ(results[1].value("status", ""), "failed");
  EXPECT_EQ(results[1]["error"].value("code", ""), "invalid_field") << results[1];
  EXPECT_EQ(results[1]["error"].value("field", ""), "tasks[1].type") << results[1];
  EXPECT_EQ(results[1]["error"].value("status", 0), 400);

  EXPECT_EQ(results[2].value("status", ""), "failed");
  EXPECT_EQ(results[2]["error"].value("code", ""), "unknown_task_type") << results[2];
  EXPECT_THAT(results[2]["error"]["known_types"], ::testing::Contains(json("echo")));

  EXPECT_EQ(results[3].value("status", ""), "completed");
  EXPECT_EQ(results[3]["result"], json({{"steps", 2}, {"step_ms", 1}}));

  EXPECT_EQ(results[4].value("status", ""), "completed");
  EXPECT_EQ(results[4]["result"], json({{"n", 4}}));
}

TEST_F(HttpApiTest, BatchOverMaxBatchTasksIsRefusedWhole) {
  http_client client{port()};
  json tasks = json::array();
  for (std::size_t i = 0; i <= max_batch_tasks; ++i)
    tasks.push_back({{"type", "echo"}, {"payload", {{"i", i}}}});
  auto reply = client.post("/v3/tasks/batch", json{{"tasks", tasks}}.dump());
  ASSERT_TRUE(reply) << client.error();
  EXPECT_TRUE(is_problem(*reply, 413, "batch_too_large"));
  auto body = reply->json();
  EXPECT_EQ(body.value("max_tasks", 0u), max_batch_tasks) << reply->body;
  EXPECT_FALSE(body.contains("results"));

  // Exactly at the limit is fine.
  tasks.erase(tasks.end() - 1);
  auto at_limit = client.post("/v3/tasks/batch", json{{"tasks", tasks}}.dump());
  ASSERT_TRUE(at_limit) << client.error();
  EXPECT_EQ(at_limit->status, 200u) << at_limit->body;
  EXPECT_EQ(at_limit->json()["results"].size(), max_batch_tasks);
}

TEST_F(HttpApiTest, BatchWithoutTasksArrayNamesTheField) {
  http_client client{port()};
  auto reply = client.post("/v3/tasks/batch", R"({"tasks": {}})");
  ASSERT_TRUE(reply) << client.error();
  EXPECT_TRUE(is_problem(*reply, 400, "invalid_field"));
  EXPECT_EQ(reply->json().value("field", ""), "tasks") << reply->body;
}

// --- v2 and v1 ------------------------------------------------------------------

TEST_F(HttpApiTest, V2DelegateAnswersWithDeprecationSunsetAndSuccessorLink) {
  http_client client{port()};
  const json data = {{"a", 1}, {"b", "two"}};
  auto reply =
      client.post("/api/delegate", json{{"task_type", "echo"}, {"task_data", data}}.dump());
  ASSERT_TRUE(reply) << client.error();
  EXPECT_EQ(reply->status, 200u) << reply->body;
  auto body = reply->json();
  EXPECT_EQ(body.value("success", false), true) << reply->body;
  EXPECT_EQ(body.value("task_type", ""), "echo");
  EXPECT_EQ(body["result"], data);
  EXPECT_TRUE(body.contains("duration_ms") && body["duration_ms"].is_number()) << reply->body;
  EXPECT_FALSE(reply->header("Deprecation").empty());
  EXPECT_FALSE(reply->header("Sunset").empty());
  EXPECT_THAT(reply->header("Link"), HasSubstr("</v3/tasks>"));
  EXPECT_THAT(reply->header("Link"), HasSubstr("rel=\"successor-version\""));
}

TEST_F(HttpApiTest, V2ErrorsAreProblemsWithDeprecationHeaders) {
  http_client client{port()};
  auto reply = client.post("/api/delegate", R"({"task_data": {}})");
  ASSERT_TRUE(reply) << client.error();
  EXPECT_TRUE(is_problem(*reply, 400, "invalid_field"));
  EXPECT_EQ(reply->json().value("field", ""), "task_type") << reply->body;
  EXPECT_FALSE(reply->header("Deprecation").empty());
  EXPECT_THAT(reply->header("Link"), HasSubstr("successor-version"));
}

TEST_F(HttpApiTest, V1IsGone) {
  http_client client{port()};
  for (auto [method, target] : {std::pair{"POST", "/api/v1/tasks"}, std::pair{"GET", "/api/v1"},
                                std::pair{"GET", "/api/v1/health?x=1"}}) {
    auto reply = client.request(method, target, method == std::string_view{"POST"} ? "{}" : "");
    ASSERT_TRUE(reply) << client.error();
    EXPECT_TRUE(is_problem(*reply, 410, "gone")) << method << " " << target;
    EXPECT_THAT(reply->json().value("detail", ""), HasSubstr("/v3/tasks"));
  }
}

// --- probes ---------------------------------------------------------------------

TEST_F(HttpApiTest, HealthReportsStatusRegionVersionUptime) {
  http_client client{port()};
  auto reply = client.request("GET", "/health");
  ASSERT_TRUE(reply) << client.error();
  EXPECT_EQ(reply->status, 200u);
  EXPECT_EQ(reply->header("Content-Type"), "application/json");
  auto body = reply->json();
  EXPECT_EQ(body.value("status", ""), "ok") << reply->body;
  EXPECT_EQ(body.value("region", ""), "test-region");
  EXPECT_TRUE(body.contains("version") && body["version"].is_string() &&
              !body["version"].get<std::string>().empty())
      << reply->body;
  EXPECT_TRUE(body.contains("uptime_s") && body["uptime_s"].is_number() &&
              body["uptime_s"].get<double>() >= 0)
      << reply->body;

  auto head = client.request("HEAD", "/health");
  ASSERT_TRUE(head) << client.error();
  EXPECT_EQ(head->status, 200u);
  EXPECT_TRUE(head->body.empty());
}

TEST_F(HttpApiTest, ReadyAnswers200WhileTakingTasks) {
  http_client client{port()};
  auto reply = client.request("GET", "/ready");
  ASSERT_TRUE(reply) << client.error();
  EXPECT_EQ(reply->status, 200u) << reply->body;
  EXPECT_TRUE(is_sane_id(reply->header("X-Request-Id")));
}

// --- bad input ------------------------------------------------------------------

TEST_F(HttpApiTest, MalformedJsonIs400SayingWhere) {
  http_client client{port()};
  // Breaks at line 3, column 3 (the 'o' of "oops").
  auto reply = client.post("/v3/tasks", "{\n  \"type\": \"echo\",\n  oops\n}");
  ASSERT_TRUE(reply) << client.error();
  EXPECT_TRUE(is_problem(*reply, 400, "invalid_json"));
  auto body = reply->json();
  EXPECT_EQ(body.value("line", 0), 3) << reply->body;
  EXPECT_EQ(body.value("column", 0), 3) << reply->body;
  EXPECT_THAT(body.value("detail", ""), HasSubstr("line 3"));

  auto truncated = client.post("/v3/tasks", R"({"type": "echo", "payload": {)");
  ASSERT_TRUE(truncated) << client.error();
  EXPECT_TRUE(is_problem(*truncated, 400, "invalid_json"));
  EXPECT_EQ(truncated->json().value("line", 0), 1) << truncated->body;
}

TEST_F(HttpApiTest, MissingOrMistypedFieldIs400NamingTheField) {
  struct bad_case {
    std::string body;
    std::string field;
  };
  const bad_case cases[] = {
      {R"({})", "type"},
      {R"({"payload": {}})", "type"},
      {R"({"type": 5})", "type"},
      {R"({"type": ["echo"]})", "type"},
      {R"({"type": "Not A Type!"})", "type"},
      {R"({"type": "echo", "options": 3})", "options"},
      {R"({"type": "echo", "options": {"timeout_ms": "soon"}})", "options.timeout_ms"},
      {R"({"type": "echo", "options": {"timeout_ms": 0}})", "options.timeout_ms"},
      {R"([1, 2])", "(body)"},
      // Checked by the echo handler itself, on the executor.
      {R"({"type": "echo", "payload": {"steps": -1}})", "payload.steps"},
  };
  http_client client{port()};
  for (const auto& c : cases) {
    auto reply = client.post("/v3/tasks", c.body);
    ASSERT_TRUE(reply) << client.error();
    EXPECT_TRUE(is_problem(*reply, 400, "invalid_field")) << c.body;
    EXPECT_EQ(reply->json().value("field", ""), c.field) << c.body << " -> " << reply->body;
    EXPECT_THAT(reply->json().value("detail", ""), HasSubstr(c.field)) << c.body;
  }
}

TEST_F(HttpApiTest, UnknownTaskTypeIs422ListingKnownTypes) {
  http_client client{port()};
  auto reply = client.post("/v3/tasks", R"({"type": "no-such-type", "payload": {}})");
  ASSERT_TRUE(reply) << client.error();
  EXPECT_TRUE(is_problem(*reply, 422, "unknown_task_type"));
  auto body = reply->json();
  ASSERT_TRUE(body.contains("known_types") && body["known_types"].is_array()) << reply->body;
  EXPECT_THAT(body["known_types"], ::testing::Contains(json("echo")));
  EXPECT_THAT(body.value("detail", ""), HasSubstr("no-such-type"));
}

TEST_F(HttpApiTest, UnknownPathIs404) {
  http_client client{port()};
  for (auto target : {"/", "/v3", "/v3/task", "/v4/tasks", "/health/x"}) {
    auto reply = client.request("GET", target);
    ASSERT_TRUE(reply) << client.error();
    EXPECT_TRUE(is_problem(*reply, 404, "not_found")) << target;
  }
  auto post = client.post("/v3/jobs", R"({"type":"echo"})");
  ASSERT_TRUE(post) << client.error();
  EXPECT_TRUE(is_problem(*post, 404, "not_found"));
  EXPECT_EQ(post->json().value("instance", ""), "/v3/jobs");
}

TEST_F(HttpApiTest, WrongMethodIs405WithAllow) {
  http_client client{port()};
  struct method_case {
    const char* method;
    const char* target;
    const char* allow;
  };
  for (const auto& c :
       {method_case{"GET", "/v3/tasks", "POST"}, method_case{"PUT", "/v3/tasks/batch", "POST"},
        method_case{"GET", "/api/delegate", "POST"}, method_case{"POST", "/health", "GET, HEAD"},
        method_case{"DELETE", "/ready", "GET, HEAD"}}) {
    auto reply =
        client.request(c.method, c.target, c.method == std::string_view{"POST"} ? "{}" : "");
    ASSERT_TRUE(reply) << client.error();
    EXPECT_TRUE(is_problem(*reply, 405, "method_not_allowed")) << c.method << " " << c.target;
    EXPECT_EQ(reply->header("Allow"), c.allow) << c.method << " " << c.target;
  }
}

TEST_F(HttpApiTest, NonJsonContentTypeIs415) {
  http_client client{port()};
  for (auto type : {"text/plain", "application/x-www-form-urlencoded", "application/xml"}) {
    auto reply = client.post("/v3/tasks", R"({"type":"echo"})", {{"Content-Type", type}});
    ASSERT_TRUE(reply) << client.error();
    EXPECT_TRUE(is_problem(*reply, 415, "unsupported_media_type")) << type;
  }
  auto batch = client.post("/v3/tasks/batch", R"({"tasks":[{"type":"echo"}]})",
                           {{"Content-Type", "text/csv"}});
  ASSERT_TRUE(batch) << client.error();
  EXPECT_TRUE(is_problem(*batch, 415, "unsupported_media_type"));
  // JSON with parameters or a +json suffix is JSON.
  auto suffixed = client.post("/v3/tasks", R"({"type":"echo"})",
                              {{"Content-Type", "application/vnd.noizylab+json; charset=utf-8"}});
  ASSERT_TRUE(suffixed) << client.error();
  EXPECT_EQ(suffixed->status, 200u) << suffixed->body;
}

TEST_F(HttpApiTest, HeadOver16KiBIs431AndCloses) {
  http_client client{port()};
  const std::string head =
      "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: " + std::string(17 * 1024, 'a') +
      "\r\n\r\n";
  ASSERT_TRUE(client.send_raw(head)) << client.error();
  auto reply = client.read_reply();
  ASSERT_TRUE(reply) << client.error();
  EXPECT_TRUE(is_problem(*reply, 431, "header_too_large"));
  EXPECT_FALSE(reply->keep_alive);
  EXPECT_TRUE(client.wait_closed(10s));

  // Many small fields adding up to more than 16 KiB count too.
  http_client second{port()};
  std::string fields;
  for (int i = 0; i < 400; ++i)
    fields += "X-Field-" + std::to_string(i) + ": " + std::string(40, 'b') + "\r\n";
  ASSERT_TRUE(second.send_raw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + fields + "\r\n"))
      << second.error();
  auto many = second.read_reply();
  ASSERT_TRUE(many) << second.error();
  EXPECT_TRUE(is_problem(*many, 431, "header_too_large"));
}

TEST_F(HttpApiTest, HeadJustUnder16KiBIsServed) {
  http_client client{port()};
  auto reply = client.request("GET", "/health", {}, {{"X-Filler", std::string(15 * 1024, 'a')}});
  ASSERT_TRUE(reply) << client.error();
  EXPECT_EQ(reply->status, 200u);
}

TEST_F(HttpApiTest, BodyOverLimitIs413WithoutReadingTheRest) {
  http_client client{port()};
  // Announces 10x the limit, sends only a little of it and waits: the answer
  // must come from the Content-Length alone.
  const std::size_t announced = 10 * max_body_bytes;
  const std::string head = "POST /v3/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Content-Type: application/json\r\nContent-Length: " +
                           std::to_string(announced) + "\r\n\r\n";
  ASSERT_TRUE(client.send_raw(head + R"({"type":"echo","payload":")" + std::string(1000, 'x')))
      << client.error();
  auto reply = client.read_reply();
  ASSERT_TRUE(reply) << client.error();
  EXPECT_TRUE(is_problem(*reply, 413, "payload_too_large"));
  EXPECT_EQ(reply->json().value("limit_bytes", 0u), max_body_bytes) << reply->body;
  EXPECT_FALSE(reply->keep_alive);
  EXPECT_TRUE(client.wait_closed(10s));
}

TEST_F(HttpApiTest, ChunkedBodyOverLimitIs413) {
  http_client client{port()};
  const std::string head = "POST /v3/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string chunk(max_body_bytes / 2, ' ');
  std::string body;
  for (int i = 0; i < 3; ++i) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
    body += size + chunk + "\r\n";
  }
  ASSERT_TRUE(client.send_raw(head + body)) << client.error();
  auto reply = client.read_reply();
  ASSERT_TRUE(reply) << client.error();
  EXPECT_TRUE(is_problem(*reply, 413, "payload_too_large"));
  EXPECT_TRUE(client.wait_closed(10s));
}

TEST_F(HttpApiTest, BodyAtLimitIsServed) {
  http_client client{port()};
  std::string prefix = R"({"type":"echo","payload":{"pad":")";
  std::string suffix = R"("}})";
  std::string body =
      prefix + std::string(max_body_bytes - prefix.size() - suffix.size(), 'p') + suffix;
  ASSERT_EQ(body.size(), max_body_bytes);
  auto reply = client.post("/v3/tasks", body);
  ASSERT_TRUE(reply) << client.error();
  EXPECT_EQ(reply->status, 200u) << reply->body.substr(0, 300);
}

TEST_F(HttpApiTest, RefusalOfOversizeBodyKeepsSaneClientRequestId) {
  // The head (with its X-Request-Id) was read before the body limit tripped.
  http_client client{port()};
  const std::string head = "POST /v3/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Content-Type: application/json\r\nX-Request-Id: client-id-413\r\n"
                           "Content-Length: " +
                           std::to_string(2 * max_body_bytes) + "\r\n\r\n";
  ASSERT_TRUE(client.send_raw(head)) << client.error();
  auto reply = client.read_reply();
  ASSERT_TRUE(reply) << client.error();
  EXPECT_TRUE(is_problem(*reply, 413, "payload_too_large"));
  // Regression test: before 50fda28 every refusal generated a new id.
  EXPECT_EQ(reply->header("X-Request-Id"), "client-id-413");
}

TEST_F(HttpApiTest, DeepNestingIsRefusedWith400) {
  http_client client{port()};
  // 100 levels, over the default max_json_depth of 64, inside the payload.
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  auto reply = client.post("/v3/tasks", R"({"type":"echo","payload":)" + deep + "}");
  ASSERT_TRUE(reply) << client.error();
  EXPECT_TRUE(is_problem(*reply, 400, "invalid_json"));
  EXPECT_THAT(reply->json().value("detail", ""), HasSubstr("deeper"));

  // Deep enough to overflow a recursive parser's stack: refused the same way.
  const std::string very_deep = std::string(50'000, '{');
  auto hostile = client.post("/v3/tasks", very_deep);
  ASSERT_TRUE(hostile) << client.error();
  EXPECT_TRUE(is_problem(*hostile, 400, "invalid_json"));

  // Brackets inside strings do not count.
  auto quoted = client.post(
      "/v3/tasks", json{{"type", "echo"}, {"payload", {{"s", std::string(200, '[')}}}}.dump());
  ASSERT_TRUE(quoted) << client.error();
  EXPECT_EQ(quoted->status, 200u) << quoted->body;
}

TEST_F(HttpApiTest, MalformedRequestLineIs400) {
  for (const std::string line : {"THIS IS NOT HTTP\r\n\r\n", "GET /health HTTP/9.x\r\n\r\n",
                                 "GET\r\n\r\n", "G(T /health HTTP/1.1\r\n\r\n"}) {
    http_client client{port()};
    ASSERT_TRUE(client.send_raw(line)) << client.error();
    auto reply = client.read_reply();
    ASSERT_TRUE(reply) << "for " << ::testing::PrintToString(line) << ": " << client.error();
    EXPECT_TRUE(is_problem(*reply, 400, "bad_request")) << ::testing::PrintToString(line);
    EXPECT_TRUE(client.wait_closed(10s));
  }
}

TEST_F(HttpApiTest, MalformedHeaderFieldIs400) {
  http_client client{port()};
  ASSERT_TRUE(client.send_raw("GET /health HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n"))
      << client.error();
  auto reply = client.read_reply();
  ASSERT_TRUE(reply) << client.error();
  EXPECT_TRUE(is_problem(*reply, 400, "bad_request"));
}

TEST_F(HttpApiTest, NodeStillServesAfterBadInput) {
  // The suite's other tests may have run before in this process: whatever
  // they sent, the node answers a good request.
  http_client client{port()};
  auto reply = client.post("/v3/tasks", R"({"type":"echo","payload":{"after":"bad"}})");
  ASSERT_TRUE(reply) << client.error();
  EXPECT_EQ(reply->status, 200u);
}

} // namespace
} // namespace nzl::test
