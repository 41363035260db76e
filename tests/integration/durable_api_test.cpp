// Durable tasks over HTTP (issue 3): POST /v3/tasks with options.async, the
// task and queue endpoints, cancel and retry, the option errors, and backlog
// shedding. A real node per test (own temp and data dir, port 0); every wait
// polls GET /v3/tasks/<id> (or the queue) with a bound, never a sleep.
#include "tests/support/http_client.hpp"
#include "tests/support/node_process.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/problem_check.hpp"
#include "tests/support/task_poll.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace nzl::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

// Bound on a task reaching its final state (generous: ASan builds on a
// shared 2-core machine).
constexpr auto settle = 30s;

json async_task(json payload, json options = json::object()) {
  options["async"] = true;
  return json{{"type", "echo"}, {"payload", std::move(payload)}, {"options", std::move(options)}};
}

::testing::AssertionResult is_rfc3339(const json& record, const char* member) {
  if (!record.contains(member) || !record[member].is_string())
    return ::testing::AssertionFailure() << "no string member " << member << " in " << record;
  const auto& text = record[member].get_ref<const std::string&>();
  // 2026-11-28T04:27:14.370Z: date, 'T', time, and a zone.
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || !(text.back() == 'Z' || text.find('+', 19) != text.npos))
    return ::testing::AssertionFailure() << member << " is not RFC 3339: " << text;
  return ::testing::AssertionSuccess();
}

class DurableTaskApiTest : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_TRUE(node_.start()); }

  std::uint16_t port() const { return node_.port(); }

  // POSTs an async task and checks the 202; returns its id ("" on failure).
  std::string enqueue(http_client& client, const json& task) {
    auto reply = client.post("/v3/tasks", task.dump());
    if (!reply) {
      ADD_FAILURE() << client.error();
      return {};
    }
    EXPECT_EQ(reply->status, 202u) << reply->body;
    auto body = reply->json();
    if (reply->status != 202 || !body.contains("id") || !body["id"].is_string())
      return {};
    return body["id"].get<std::string>();
  }

  node_process node_;
};

TEST_F(DurableTaskApiTest, AsyncTaskIsAcceptedThenCompletes) {
  http_client client{port()};
  const json payload = {{"order", 42}, {"items", {"a", "b"}}};
  auto reply = client.post("/v3/tasks", async_task(payload).dump());
  ASSERT_TRUE(reply) << client.error();
  ASSERT_EQ(reply->status, 202u) << reply->body;
  EXPECT_EQ(reply->header("Content-Type"), "application/json");
  auto body = reply->json();
  ASSERT_TRUE(body.is_object()) << reply->body;
  ASSERT_TRUE(body.contains("id") && body["id"].is_string()) << reply->body;
  const auto id = body["id"].get<std::string>();
  EXPECT_FALSE(id.empty());
  EXPECT_EQ(body.value("status", ""), "queued");
  EXPECT_EQ(body.value("queue", ""), "default");
  EXPECT_EQ(reply->header("Location"), "/v3/tasks/" + id);

  auto record = wait_for_status(client, id, "completed", settle);
  ASSERT_EQ(record.value("status", ""), "completed") << record;
  EXPECT_EQ(record.value("id", ""), id);
  EXPECT_EQ(record.value("type", ""), "echo");
  EXPECT_EQ(record.value("queue", ""), "default");
  EXPECT_EQ(record.value("priority", ""), "normal");
  EXPECT_EQ(record["result"], payload);
  EXPECT_EQ(record.value("attempts", 0), 1);
  EXPECT_FALSE(record.contains("error")) << record;
  EXPECT_TRUE(is_rfc3339(record, "created_at"));
  EXPECT_TRUE(is_rfc3339(record, "started_at"));
  EXPECT_TRUE(is_rfc3339(record, "finished_at"));
  // Same format and zone: lexical order is time order.
  EXPECT_LE(record["created_at"].get<std::string>(), record["started_at"].get<std::string>());
  EXPECT_LE(record["started_at"].get<std::string>(), record["finished_at"].get<std::string>());
}

TEST_F(DurableTaskApiTest, QueueNameAndPriorityAreReflected) {
  http_client client{port()};
  auto reply = client.post(
      "/v3/tasks",
      async_task({{"n", 1}}, {{"queue", "reports.daily"}, {"priority", "high"}}).dump());
  ASSERT_TRUE(reply) << client.error();
  ASSERT_EQ(reply->status, 202u) << reply->body;
  EXPECT_EQ(reply->json().value("queue", ""), "reports.daily");
  const auto id = reply->json().value("id", "");

  auto record = wait_for_status(client, id, "completed", settle);
  ASSERT_EQ(record.value("status", ""), "completed") << record;
  EXPECT_EQ(record.value("queue", ""), "reports.daily");
  EXPECT_EQ(record.value("priority", ""), "high");
  EXPECT_EQ(record["result"], json({{"n", 1}}));
}

TEST_F(DurableTaskApiTest, QueueStatsHaveDepthPriorityAgeThroughputAndTotals) {
  http_client client{port()};
  const auto done = enqueue(client, async_task({{"k", 1}}, {{"queue", "stats"}}));
  ASSERT_FALSE(done.empty());
  ASSERT_EQ(wait_for_status(client, done, "completed", settle).value("status", ""), "completed");
  // One waiting task (delayed far ahead) and a low-priority one.
  const auto delayed =
      enqueue(client, async_task({{"k", 2}}, {{"queue", "stats"}, {"delay_ms", 600000}}));
  ASSERT_FALSE(delayed.empty());

  json stats;
  // The completion is counted once the queue actor has handled it; the GET
  // above saw the stored record, so poll the stats too.
  ASSERT_TRUE(eventually(
      [&] {
        auto reply = client.request("GET", "/v3/queues/stats");
        if (!reply || reply->status != 200)
          return false;
        stats = reply->json();
        return stats.is_object() && stats.contains("totals") &&
               stats["totals"].value("completed", 0) == 1;
      },
      settle))
      << stats;
  EXPECT_EQ(stats.value("name", ""), "stats");
  ASSERT_TRUE(stats.contains("depth") && stats["depth"].is_object()) << stats;
  const auto& depth = stats["depth"];
  for (const char* member : {"queued", "running", "failed_awaiting_retry", "delayed"})
    EXPECT_TRUE(depth.contains(member) && depth[member].is_number_unsigned())
        << member << " in " << stats;
  EXPECT_EQ(depth.value("delayed", 99), 1) << stats;
  EXPECT_EQ(depth.value("queued", 99), 1) << stats;
  ASSERT_TRUE(depth.contains("by_priority") && depth["by_priority"].is_object()) << stats;
  for (const char* p : {"critical", "high", "normal", "low"})
    EXPECT_TRUE(depth["by_priority"].contains(p) && depth["by_priority"][p].is_number())
        << p << " in " << stats;
  ASSERT_TRUE(stats.contains("oldest_waiting_ms") && stats["oldest_waiting_ms"].is_number())
      << stats;
  EXPECT_GE(stats["oldest_waiting_ms"].get<double>(), 0.0);
  ASSERT_TRUE(stats.contains("throughput") && stats["throughput"].is_object()) << stats;
  EXPECT_EQ(stats["throughput"].value("completed_last_60s", 0), 1) << stats;
  EXPECT_TRUE(stats["throughput"].contains("per_second") &&
              stats["throughput"]["per_second"].is_number())
      << stats;
  ASSERT_TRUE(stats.contains("totals") && stats["totals"].is_object()) << stats;
  EXPECT_EQ(stats["totals"].value("dead", 99), 0);

  // Leave nothing waiting for the shutdown.
  auto cancel = client.request("DELETE", "/v3/tasks/" + delayed);
  ASSERT_TRUE(cancel) << client.error();
  EXPECT_EQ(cancel->status, 200u) << cancel->body;
}

TEST_F(DurableTaskApiTest, UnknownQueueIsNotFound) {
  http_client client{port()};
  auto reply = client.request("GET", "/v3/queues/never-used");
  ASSERT_TRUE(reply) << client.error();
  EXPECT_TRUE(is_problem(*reply, 404, "not_found"));
}

TEST_F(DurableTaskApiTest, UnknownTaskIsNotFound) {
  http_client client{port()};
  for (const char* target :
       {"/v3/tasks/00000000-0000-4000-8000-000000000000", "/v3/tasks/no-such-task"}) {
    auto reply = client.request("GET", target);
    ASSERT_TRUE(reply) << client.error();
    EXPECT_TRUE(is_problem(*reply, 404, "not_found")) << target;
    auto cancel = client.request("DELETE", target);
    ASSERT_TRUE(cancel) << client.error();
    EXPECT_TRUE(is_problem(*cancel, 404, "not_found")) << "DELETE " << target;
    auto retry = client.post(std::string{target} + "/retry", "");
    ASSERT_TRUE(retry) << client.error();
    EXPECT_TRUE(is_problem(*retry, 404, "not_found")) << "retry " << target;
  }
}

TEST_F(DurableTaskApiTest, MalformedOptionsAreRefusedNamingTheField) {
  struct bad_case {
    json options;
    std::string field;
    std::string detail_mentions;
  };
  const std::vector<bad_case> cases{
      {{{"async", true}, {"priority", "urgent"}}, "options.priority", "critical"},
      {{{"async", true}, {"priority", 1}}, "options.priority", "critical"},
      {{{"async", true}, {"queue", "Bad Name!"}}, "options.queue", "a-z"},
      {{{"async", true}, {"queue", ""}}, "options.queue", "a-z"},
      {{{"async", true}, {"queue", std::string(65, 'q')}}, "options.queue", "a-z"},
      // A delay needs a durable task: the error names the missing switch.
      {{{"delay_ms", 1000}}, "options.async", "delay_ms"},
      {{{"async", false}, {"delay_ms", 1000}}, "options.async", "delay_ms"},
      {{{"async", true}, {"delay_ms", -1}}, "options.delay_ms", "integer"},
      {{{"async", true}, {"run_at", "garbage"}}, "options.run_at", "RFC 3339"},
      {{{"async", true}, {"run_at", "2026-13-45T99:00:00Z"}}, "options.run_at", "RFC 3339"},
      {{{"async", true}, {"webhook", "ftp://example.com/hook"}}, "options.webhook", "http"},
      {{{"async", true}, {"webhook", 42}}, "options.webhook", "http"},
      {{{"async", true}, {"max_retries", 21}}, "options.max_retries", "0 to 20"},
      {{{"async", "yes"}}, "options.async", "true or false"},
  };
  http_client client{port()};
  for (const auto& c : cases) {
    const json task{{"type", "echo"}, {"payload", json::object()}, {"options", c.options}};
    auto reply = client.post("/v3/tasks", task.dump());
    ASSERT_TRUE(reply) << client.error();
    EXPECT_TRUE(is_problem(*reply, 400, "invalid_field")) << task;
    auto doc = reply->json();
    EXPECT_EQ(doc.value("field", ""), c.field) << task << " -> " << reply->body;
    EXPECT_THAT(doc.value("detail", ""), HasSubstr(c.detail_mentions)) << task;
  }
}

TEST_F(DurableTaskApiTest, DelayedTaskCanBeCancelledOnce) {
  http_client client{port()};
  auto reply =
      client.post("/v3/tasks", async_task({{"later", true}}, {{"delay_ms", 600000}}).dump());
  ASSERT_TRUE(reply) << client.error();
  ASSERT_EQ(reply->status, 202u) << reply->body;
  const auto id = reply->json().value("id", "");
  EXPECT_TRUE(reply->json().contains("run_at")) << reply->body;

  auto waiting = get_task(client, id);
  ASSERT_TRUE(waiting.is_object());
  EXPECT_EQ(waiting.value("status", ""), "queued") << waiting;
  EXPECT_TRUE(is_rfc3339(waiting, "run_at"));

  auto cancel = client.request("DELETE", "/v3/tasks/" + id);
  ASSERT_TRUE(cancel) << client.error();
  ASSERT_EQ(cancel->status, 200u) << cancel->body;
  auto body = cancel->json();
  EXPECT_EQ(body.value("id", ""), id);
  EXPECT_EQ(body.value("status", ""), "cancelled") << cancel->body;
  EXPECT_EQ(body.value("was", ""), "queued") << cancel->body;

  auto record = wait_for_status(client, id, "cancelled", settle);
  EXPECT_EQ(record.value("status", ""), "cancelled") << record;
  EXPECT_FALSE(record.contains("result")) << record;
  EXPECT_EQ(record.value("attempts", 99), 0) << record;

  auto again = client.request("DELETE", "/v3/tasks/" + id);
  ASSERT_TRUE(again) << client.error();
  EXPECT_TRUE(is_problem(*again, 409, "conflict"));
}

TEST_F(DurableTaskApiTest, RunningTaskIsAskedToStop) {
  http_client client{port()};
  // Long enough that it is still running when the DELETE comes; ends early
  // once the handler sees the cancel flag.
  const auto id = enqueue(client, async_task({{"steps", 1000}, {"step_ms", 50}}));
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(wait_for_status(client, id, "running", settle).value("status", ""), "running");
  auto cancel = client.request("DELETE", "/v3/tasks/" + id);
  ASSERT_TRUE(cancel) << client.error();
  ASSERT_EQ(cancel->status, 200u) << cancel->body;
  EXPECT_EQ(cancel->json().value("status", ""), "running") << cancel->body;
  EXPECT_EQ(cancel->json().value("cancel_requested", false), true) << cancel->body;
  auto record = wait_for_status(client, id, "cancelled", settle);
  EXPECT_EQ(record.value("status", ""), "cancelled") << record;
}

TEST_F(DurableTaskApiTest, FailingTaskEndsDeadAndRetryRequeuesIt) {
  http_client client{port()};
  // "steps" must be an integer: the handler refuses it when it runs. A field
  // error cannot be fixed by retrying, so the task is dead after one attempt.
  const auto id =
      enqueue(client, async_task({{"steps", "bad"}}, {{"queue", "doomed"}, {"max_retries", 3}}));
  ASSERT_FALSE(id.empty());
  auto record = wait_for_status(client, id, "dead", settle);
  ASSERT_EQ(record.value("status", ""), "dead") << record;
  EXPECT_EQ(record.value("attempts", 0), 1) << record;
  ASSERT_TRUE(record.contains("error") && record["error"].is_object()) << record;
  EXPECT_EQ(record["error"].value("code", ""), "invalid_field") << record;
  EXPECT_FALSE(record.contains("result")) << record;
  EXPECT_TRUE(is_rfc3339(record, "finished_at"));

  auto retry = client.post("/v3/tasks/" + id + "/retry", "");
  ASSERT_TRUE(retry) << client.error();
  ASSERT_EQ(retry->status, 202u) << retry->body;
  EXPECT_EQ(retry->json().value("id", ""), id);
  EXPECT_EQ(retry->json().value("status", ""), "queued") << retry->body;
  EXPECT_EQ(retry->json().value("queue", ""), "doomed") << retry->body;
  EXPECT_EQ(retry->header("Location"), "/v3/tasks/" + id);

  // The requeued record was stored before the 202: a "dead" seen from now on
  // is the second run's.
  record = wait_for_status(client, id, "dead", settle);
  ASSERT_EQ(record.value("status", ""), "dead") << record;
  EXPECT_EQ(record.value("attempts", 0), 1) << record;
  EXPECT_EQ(record["error"].value("code", ""), "invalid_field") << record;

  json stats;
  EXPECT_TRUE(eventually(
      [&] {
        auto reply = client.request("GET", "/v3/queues/doomed");
        stats = reply && reply->status == 200 ? reply->json() : json{};
        return stats.is_object() && stats.contains("totals") &&
               stats["totals"].value("dead", 0) == 2;
      },
      settle))
      << stats;
}

TEST_F(DurableTaskApiTest, RetryOfATaskThatIsNotDeadIsAConflict) {
  http_client client{port()};
  const auto id = enqueue(client, async_task({{"fine", true}}));
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(wait_for_status(client, id, "completed", settle).value("status", ""), "completed");
  auto retry = client.post("/v3/tasks/" + id + "/retry", "");
  ASSERT_TRUE(retry) << client.error();
  EXPECT_TRUE(is_problem(*retry, 409, "conflict"));
  EXPECT_EQ(retry->json().value("id", ""), id) << retry->body;
  EXPECT_THAT(retry->json().value("detail", ""), HasSubstr("completed")) << retry->body;

  const auto waiting = enqueue(client, async_task({{"later", true}}, {{"delay_ms", 600000}}));
  ASSERT_FALSE(waiting.empty());
  retry = client.post("/v3/tasks/" + waiting + "/retry", "");
  ASSERT_TRUE(retry) << client.error();
  EXPECT_TRUE(is_problem(*retry, 409, "conflict"));
  auto cancel = client.request("DELETE", "/v3/tasks/" + waiting);
  ASSERT_TRUE(cancel) << client.error();
  EXPECT_EQ(cancel->status, 200u) << cancel->body;

  // Still completed, with its result: the refused retry changed nothing.
  auto record = get_task(client, id);
  EXPECT_EQ(record.value("status", ""), "completed") << record;
  EXPECT_EQ(record["result"], json({{"fine", true}}));
}

TEST_F(DurableTaskApiTest, ConflictProblemNamesTheTaskStatus) {
  http_client client{port()};
  const auto id = enqueue(client, async_task({{"fine", true}}));
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(wait_for_status(client, id, "completed", settle).value("status", ""), "completed");
  auto retry = client.post("/v3/tasks/" + id + "/retry", "");
  ASSERT_TRUE(retry) << client.error();
  EXPECT_TRUE(is_problem(*retry, 409, "conflict"));
  // The task's status, under a member name that does not collide with the
  // problem's own "status" (regression: it was overwritten by the 409).
  EXPECT_THAT(retry->body, HasSubstr("\"task_status\":\"completed\"")) << retry->body;
}

TEST_F(DurableTaskApiTest, DelayedTaskRunsOnceWhenDue) {
  http_client client{port()};
  auto reply = client.post("/v3/tasks", async_task({{"soon", true}}, {{"delay_ms", 200}}).dump());
  ASSERT_TRUE(reply) << client.error();
  ASSERT_EQ(reply->status, 202u) << reply->body;
  const auto accepted = reply->json();
  ASSERT_TRUE(is_rfc3339(accepted, "run_at"));
  const auto id = accepted.value("id", "");
  auto record = wait_for_status(client, id, "completed", settle);
  ASSERT_EQ(record.value("status", ""), "completed") << record;
  EXPECT_EQ(record.value("attempts", 0), 1) << record;
  EXPECT_EQ(record["result"], json({{"soon", true}}));
  // Not before its time (same format and zone: lexical order is time order).
  EXPECT_GE(record.value("started_at", ""), accepted["run_at"].get<std::string>()) << record;
}

TEST_F(DurableTaskApiTest, RunAtInThePastRunsAtOnce) {
  http_client client{port()};
  const auto id =
      enqueue(client, async_task({{"late", true}}, {{"run_at", "2020-01-01T00:00:00Z"}}));
  ASSERT_FALSE(id.empty());
  auto record = wait_for_status(client, id, "completed", settle);
  EXPECT_EQ(record.value("status", ""), "completed") << record;
  EXPECT_EQ(record.value("attempts", 0), 1) << record;
}

// --- retries --------------------------------------------------------------------

class DurableRetryTest : public ::testing::Test {
protected:
  void SetUp() override {
    node_options options;
    // Short backoff so that the retries come quickly.
    options.manifest_sections = {{"queues", {{"retry_base_ms", 20}, {"retry_cap_ms", 100}}}};
    node_ = std::make_unique<node_process>(options);
    ASSERT_TRUE(node_->start());
  }

  std::unique_ptr<node_process> node_;
};

TEST_F(DurableRetryTest, TimingOutTaskIsRetriedThenDead) {
  http_client client{node_->port()};
  // Each attempt needs ~1 s and may take 50 ms: every attempt times out.
  auto reply = client.post("/v3/tasks", async_task({{"steps", 20}, {"step_ms", 50}},
                                                   {{"timeout_ms", 50}, {"max_retries", 2}})
                                            .dump());
  ASSERT_TRUE(reply) << client.error();
  ASSERT_EQ(reply->status, 202u) << reply->body;
  const auto id = reply->json().value("id", "");
  auto record = wait_for_status(client, id, "dead", settle);
  ASSERT_EQ(record.value("status", ""), "dead") << record;
  EXPECT_EQ(record.value("attempts", 0), 3) << "one attempt and max_retries 2: " << record;
  EXPECT_EQ(record.value("max_retries", 0), 2) << record;
  ASSERT_TRUE(record.contains("error") && record["error"].is_object()) << record;
  EXPECT_EQ(record["error"].value("code", ""), "task_timeout") << record;
}

// --- priorities -------------------------------------------------------------------

class DurablePriorityTest : public ::testing::Test {
protected:
  void SetUp() override {
    node_options options;
    options.executor_threads = 1; // one task of the queue at a time
    node_ = std::make_unique<node_process>(options);
    ASSERT_TRUE(node_->start());
  }

  std::unique_ptr<node_process> node_;
};

TEST_F(DurablePriorityTest, HigherPriorityRunsFirstAndFifoWithinOne) {
  http_client client{node_->port()};
  // A blocker holds the only executor while the others queue up behind it.
  // Its dispatch opens a weighted-round-robin cycle (credits 8/4/2/1, see
  // docs/api.md) and spends low's one credit, so the waiting tasks below see
  // full credits for every other priority: strict priority order, FIFO
  // within one, and low when the cycle is over.
  auto blocker = client.post("/v3/tasks", async_task({{"steps", 1000}, {"step_ms", 10}},
                                                     {{"queue", "prio"}, {"priority", "low"}})
                                              .dump());
  ASSERT_TRUE(blocker) << client.error();
  ASSERT_EQ(blocker->status, 202u) << blocker->body;
  const auto blocker_id = blocker->json().value("id", "");
  ASSERT_EQ(wait_for_status(client, blocker_id, "running", settle).value("status", ""), "running");

  const std::vector<std::pair<std::string, std::string>> sent{{"low", "low-1"},
                                                              {"normal", "normal-1"},
                                                              {"high", "high-1"},
                                                              {"normal", "normal-2"},
                                                              {"critical", "critical-1"}};
  std::map<std::string, std::string> ids; // name -> id
  for (const auto& [prio, name] : sent) {
    // Each takes ~20 ms, so that their started_at values differ.
    auto reply =
        client.post("/v3/tasks", async_task({{"steps", 1}, {"step_ms", 20}, {"name", name}},
                                            {{"queue", "prio"}, {"priority", prio}})
                                     .dump());
    ASSERT_TRUE(reply) << client.error();
    ASSERT_EQ(reply->status, 202u) << reply->body;
    ids[name] = reply->json().value("id", "");
  }
  auto cancel = client.request("DELETE", "/v3/tasks/" + blocker_id);
  ASSERT_TRUE(cancel) << client.error();
  ASSERT_EQ(cancel->status, 200u) << cancel->body;

  std::map<std::string, std::string> started; // started_at -> name
  for (const auto& [name, id] : ids) {
    auto record = wait_for_status(client, id, "completed", settle);
    ASSERT_EQ(record.value("status", ""), "completed") << record;
    started.emplace(record.value("started_at", ""), name);
  }
  std::vector<std::string> order;
  for (const auto& [at, name] : started)
    order.push_back(name);
  EXPECT_EQ(order,
            (std::vector<std::string>{"critical-1", "high-1", "normal-1", "normal-2", "low-1"}));
}

// --- backlog shedding ----------------------------------------------------------

constexpr int max_backlog = 5;

class DurableBacklogTest : public ::testing::Test {
protected:
  void SetUp() override {
    node_options options;
    options.executor_threads = 1;
    options.manifest_sections = {{"queues", {{"max_backlog", max_backlog}}}};
    node_ = std::make_unique<node_process>(options);
    ASSERT_TRUE(node_->start());
  }

  std::unique_ptr<node_process> node_;
};

TEST_F(DurableBacklogTest, FullQueueShedsWithRetryableOverloaded) {
  http_client client{node_->port()};
  // Each task runs ~1 s on the only executor; the queue fills long before.
  const auto slow = async_task({{"steps", 50}, {"step_ms", 20}}, {{"queue", "slow"}});
  std::vector<std::string> accepted;
  std::optional<http_reply> shed;
  for (int i = 0; i < 4 * max_backlog && !shed; ++i) {
    auto reply = client.post("/v3/tasks", slow.dump());
    ASSERT_TRUE(reply) << client.error();
    if (reply->status == 202)
      accepted.push_back(reply->json().value("id", ""));
    else
      shed = std::move(reply);
  }
  ASSERT_TRUE(shed) << "no 503 after " << accepted.size() << " tasks";
  EXPECT_TRUE(is_problem(*shed, 503, "overloaded"));
  auto doc = shed->json();
  EXPECT_EQ(doc.value("retryable", false), true) << shed->body;
  EXPECT_EQ(doc.value("queue", ""), "slow") << shed->body;
  EXPECT_EQ(doc.value("max_backlog", 0), max_backlog) << shed->body;
  EXPECT_FALSE(shed->header("Retry-After").empty());
  // At most one running plus max_backlog waiting were accepted.
  EXPECT_GE(accepted.size(), static_cast<std::size_t>(max_backlog));
  EXPECT_LE(accepted.size(), static_cast<std::size_t>(max_backlog + 1));

  // Other queues are not affected.
  auto other = client.post("/v3/tasks", async_task({{"n", 1}}, {{"queue", "other"}}).dump());
  ASSERT_TRUE(other) << client.error();
  EXPECT_EQ(other->status, 202u) << other->body;

  // Cancel the backlog so the node stops promptly.
  for (const auto& id : accepted) {
    auto cancel = client.request("DELETE", "/v3/tasks/" + id);
    ASSERT_TRUE(cancel) << client.error();
    EXPECT_TRUE(cancel->status == 200u || cancel->status == 409u) << cancel->body;
  }
}

} // namespace
} // namespace nzl::test
