// The crash test of issue 3: a task the node acknowledged (202) is never
// lost. Enqueue N tasks over several connections, kill -9 the node while it
// works through them, restart it on the same data directory, and check that
// every acknowledged task ends completed exactly once in its record, that a
// task completed before the crash keeps its result, and that a task running
// at the crash runs again.
#include "tests/support/http_client.hpp"
#include "tests/support/node_process.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/task_poll.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace nzl::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr int task_count = 300;
constexpr int connections = 4;
constexpr auto settle = 30s;
constexpr auto drain_bound = 90s; // the whole backlog, under ASan on 2 shared cores

json bulk_task(int i) {
  return json{{"type", "echo"},
              {"payload", {{"steps", 1}, {"step_ms", 5}, {"i", i}}},
              {"options", {{"async", true}}}};
}

// The stats of `queue`, or a discarded value.
json queue_stats(http_client& client, const std::string& queue) {
  auto reply = client.request("GET", "/v3/queues/" + queue);
  if (!reply || reply->status != 200)
    return json(json::value_t::discarded);
  return reply->json();
}

bool is_idle(const json& stats) {
  if (!stats.is_object() || !stats.contains("depth"))
    return false;
  const auto& d = stats["depth"];
  return d.value("queued", 1) == 0 && d.value("running", 1) == 0 &&
         d.value("failed_awaiting_retry", 1) == 0 && d.value("delayed", 1) == 0;
}

class DurableCrashTest : public ::testing::Test {
protected:
  void SetUp() override {
    node_options options;
    options.executor_threads = 2;
    options.manifest_sections = {{"queues", {{"sync_writes", true}}}};
    node_ = std::make_unique<node_process>(options);
    ASSERT_TRUE(node_->start());
  }

  std::unique_ptr<node_process> node_;
};

TEST_F(DurableCrashTest, EveryAcknowledgedTaskCompletesOnceAfterKill9) {
  // A task completed (and read back) before the crash.
  std::string before_id;
  json before;
  {
    http_client client{node_->port()};
    auto reply = client.post("/v3/tasks", json{{"type", "echo"},
                                               {"payload", {{"marker", "before-crash"}}},
                                               {"options", {{"async", true}}}}
                                              .dump());
    ASSERT_TRUE(reply) << client.error();
    ASSERT_EQ(reply->status, 202u) << reply->body;
    before_id = reply->json().value("id", "");
    before = wait_for_status(client, before_id, "completed", settle);
    ASSERT_EQ(before.value("status", ""), "completed") << before;
  }

  // A probe that is certainly running at the crash: it takes 20 s, so it
  // cannot finish before the kill, nor before we cancel it after the restart.
  std::string probe_id;
  {
    http_client client{node_->port()};
    auto reply = client.post(
        "/v3/tasks", json{{"type", "echo"},
                          {"payload", {{"steps", 1000}, {"step_ms", 20}}},
                          {"options", {{"async", true}, {"queue", "probe"}, {"timeout_ms", 60000}}}}
                         .dump());
    ASSERT_TRUE(reply) << client.error();
    ASSERT_EQ(reply->status, 202u) << reply->body;
    probe_id = reply->json().value("id", "");
    auto running = wait_for_status(client, probe_id, "running", settle);
    ASSERT_EQ(running.value("status", ""), "running") << running;
    ASSERT_EQ(running.value("attempts", 0), 1) << running;
  }

  // N tasks over several kept-alive connections; remember every 202.
  std::mutex mutex;                        // guards acknowledged and failures
  std::map<std::string, int> acknowledged; // id -> the task's index
  std::vector<std::string> failures;
  std::vector<std::thread> senders;
  for (int c = 0; c < connections; ++c)
    senders.emplace_back([&, c] {
      http_client client{node_->port()};
      for (int i = c; i < task_count; i += connections) {
        auto reply = client.post("/v3/tasks", bulk_task(i).dump());
        std::lock_guard guard{mutex};
        if (reply && reply->status == 202 && reply->json().contains("id"))
          acknowledged.emplace(reply->json()["id"].get<std::string>(), i);
        else
          failures.push_back(reply ? std::to_string(reply->status) + " " + reply->body
                                   : client.error());
      }
    });
  for (auto& t : senders)
    t.join();
  ASSERT_TRUE(failures.empty()) << failures.size() << " enqueues failed, first: " << failures[0];
  ASSERT_EQ(acknowledged.size(), static_cast<std::size_t>(task_count));

  // Crash right after the last 202, while the queue works.
  ASSERT_TRUE(node_->kill_hard());
  ASSERT_EQ(node_->wait_exit(0ms), -SIGKILL);
  ASSERT_TRUE(node_->restart());
  http_client client{node_->port()};

  // The probe was interrupted: it runs again (a second attempt).
  json probe;
  ASSERT_TRUE(eventually(
      [&] {
        probe = get_task(client, probe_id);
        return probe.value("status", "") == "running" && probe.value("attempts", 0) == 2;
      },
      settle))
      << probe;

  // Every acknowledged task ends completed with its own payload as result.
  std::map<std::string, int> pending = acknowledged;
  std::map<std::string, json> records;
  eventually(
      [&] {
        for (auto it = pending.begin(); it != pending.end();) {
          auto record = get_task(client, it->first);
          if (record.value("status", "") == "completed") {
            records[it->first] = std::move(record);
            it = pending.erase(it);
          } else {
            ++it;
          }
        }
        return pending.empty();
      },
      drain_bound);
  ASSERT_TRUE(pending.empty()) << pending.size() << " of " << task_count
                               << " acknowledged tasks did not complete, e.g. "
                               << get_task(client, pending.begin()->first);
  for (const auto& [id, i] : acknowledged) {
    const auto& record = records[id];
    EXPECT_EQ(record["result"], bulk_task(i)["payload"]) << record;
    EXPECT_GE(record.value("attempts", 0), 1) << record;
    EXPECT_TRUE(record.contains("finished_at")) << record;
    EXPECT_FALSE(record.contains("error")) << record;
  }

  // Exactly once: once the queue is idle, no record changes any more (a
  // second delivery would rewrite finished_at or attempts).
  json stats;
  ASSERT_TRUE(eventually([&] { return is_idle(stats = queue_stats(client, "default")); }, settle))
      << stats;
  // How many ran (again) after the restart: the work the kill interrupted.
  const auto rerun = stats["totals"].value("completed", 0);
  RecordProperty("completed_after_restart", rerun);
  std::cout << "[ crash    ] " << rerun << " of " << task_count
            << " acknowledged tasks completed after the restart\n";
  for (const auto& [id, record] : records) {
    auto again = get_task(client, id);
    EXPECT_EQ(again.value("status", ""), "completed") << again;
    EXPECT_EQ(again.value("attempts", 0), record.value("attempts", -1)) << again;
    EXPECT_EQ(again.value("finished_at", ""), record.value("finished_at", "-")) << again;
  }

  // The task completed before the crash is untouched.
  auto after = get_task(client, before_id);
  EXPECT_EQ(after, before);

  // The probe is not needed any more.
  auto cancel = client.request("DELETE", "/v3/tasks/" + probe_id);
  ASSERT_TRUE(cancel) << client.error();
  EXPECT_EQ(cancel->status, 200u) << cancel->body;
  EXPECT_EQ(wait_for_status(client, probe_id, "cancelled", settle).value("status", ""),
            "cancelled");
}

// A clean restart (SIGTERM) keeps every state: a delayed task still waits
// for its time, final tasks stay final, and a dead task can be retried by
// the new process.
TEST_F(DurableCrashTest, DelayedAndFinalTasksSurviveRestart) {
  http_client before{node_->port()};
  auto post = [&](const json& payload, json options) {
    options["async"] = true;
    auto reply = before.post(
        "/v3/tasks", json{{"type", "echo"}, {"payload", payload}, {"options", options}}.dump());
    EXPECT_TRUE(reply) << before.error();
    EXPECT_EQ(reply ? reply->status : 0u, 202u) << (reply ? reply->body : "");
    return reply ? reply->json().value("id", "") : std::string{};
  };
  const auto delayed = post({{"later", true}}, {{"delay_ms", 600000}, {"queue", "later"}});
  const auto cancelled = post({{"never", true}}, {{"delay_ms", 600000}, {"queue", "gone"}});
  const auto dead = post({{"steps", "bad"}}, {{"queue", "doomed"}});
  ASSERT_FALSE(delayed.empty() || cancelled.empty() || dead.empty());
  auto cancel = before.request("DELETE", "/v3/tasks/" + cancelled);
  ASSERT_TRUE(cancel) << before.error();
  ASSERT_EQ(cancel->status, 200u) << cancel->body;
  const auto delayed_record = get_task(before, delayed);
  ASSERT_EQ(delayed_record.value("status", ""), "queued") << delayed_record;
  const auto cancelled_record = wait_for_status(before, cancelled, "cancelled", settle);
  ASSERT_EQ(cancelled_record.value("status", ""), "cancelled") << cancelled_record;
  const auto dead_record = wait_for_status(before, dead, "dead", settle);
  ASSERT_EQ(dead_record.value("status", ""), "dead") << dead_record;
  before.close();

  node_->send_signal(SIGTERM);
  ASSERT_EQ(node_->wait_exit(settle), 0);
  ASSERT_TRUE(node_->restart());
  http_client client{node_->port()};

  EXPECT_EQ(get_task(client, delayed), delayed_record);
  EXPECT_EQ(get_task(client, cancelled), cancelled_record);
  EXPECT_EQ(get_task(client, dead), dead_record);
  // The recovered queues are known again, with the delayed task waiting.
  auto stats = queue_stats(client, "later");
  ASSERT_TRUE(stats.is_object());
  EXPECT_EQ(stats["depth"].value("delayed", 0), 1) << stats;

  auto retry = client.post("/v3/tasks/" + dead + "/retry", "");
  ASSERT_TRUE(retry) << client.error();
  EXPECT_EQ(retry->status, 202u) << retry->body;
  auto again = wait_for_status(client, dead, "dead", settle);
  EXPECT_EQ(again.value("attempts", 0), 1) << again;
  json doomed;
  EXPECT_TRUE(eventually(
      [&] {
        doomed = queue_stats(client, "doomed");
        return doomed.is_object() && doomed["totals"].value("dead", 0) == 1;
      },
      settle))
      << doomed;

  auto cancel_delayed = client.request("DELETE", "/v3/tasks/" + delayed);
  ASSERT_TRUE(cancel_delayed) << client.error();
  EXPECT_EQ(cancel_delayed->status, 200u) << cancel_delayed->body;
}

// SIGTERM while a durable task runs: the task is safe in storage (it runs
// again after the restart), so the node should stop within its shutdown
// deadline instead of waiting for the handler.
TEST_F(DurableCrashTest, SigtermDoesNotWaitForARunningDurableTask) {
  node_options options;
  options.limits = {{"shutdown_deadline_ms", 1000}};
  node_process node{options};
  ASSERT_TRUE(node.start());
  http_client client{node.port()};
  auto reply = client.post("/v3/tasks", json{{"type", "echo"},
                                             {"payload", {{"steps", 400}, {"step_ms", 50}}},
                                             {"options", {{"async", true}, {"timeout_ms", 60000}}}}
                                            .dump());
  ASSERT_TRUE(reply) << client.error();
  ASSERT_EQ(reply->status, 202u) << reply->body;
  const auto id = reply->json().value("id", "");
  ASSERT_EQ(wait_for_status(client, id, "running", settle).value("status", ""), "running");
  client.close();
  node.send_signal(SIGTERM);
  // Bounded well below the handler's 20 s, well above the 1 s deadline.
  EXPECT_EQ(node.wait_exit(8s), 0) << "still running 8 s after SIGTERM";
  if (!node.wait_exit(0ms))
    node.kill_hard();
}

} // namespace
} // namespace nzl::test
