// Issue 11 on a live node: requests and tasks are measured and come back
// from GET /v3/analytics, the report, /metrics (checked by promtool and
// scraped by a real Prometheus), and alert rules fire into the log and
// GET /v3/analytics/alerts.
#include "tests/support/http_client.hpp"
#include "tests/support/node_process.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/ws_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace nzl::test {
namespace {

using namespace std::chrono_literals;

using nlohmann::json;
using ::testing::HasSubstr;

constexpr int echo_tasks = 12;

json find_group(const json& doc, const std::string& type) {
  for (const auto& g : doc.value("groups", json::array()))
    if (g.value("type", "") == type)
      return g;
  return json{};
}

std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

class AnalyticsIntegrationTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    node_options options;
    options.manifest_sections = {{"analytics",
                                  {{"prices", {{"per_million_requests", 0.5}}},
                                   {"alerts", json::array({{{"name", "echo-slow"},
                                                            {"kind", "p95_over"},
                                                            {"threshold_ms", 0},
                                                            {"for", "0s"},
                                                            {"window", "1m"},
                                                            {"type", "echo"}}})}}}};
    node_ = std::make_unique<node_process>(options);
    started_ = node_->start();
    if (!started_)
      return;
    http_client c{node_->port()};
    for (int i = 0; i < echo_tasks; ++i) {
      auto r = c.post("/v3/tasks", R"({"type":"echo","payload":{"n":1}})");
      if (!r || r->status != 200)
        started_ = ::testing::AssertionFailure() << "echo failed";
    }
    auto r = c.post("/v3/tasks", R"({"type":"no-such-type","payload":{}})");
    if (!r || r->status < 400)
      started_ = ::testing::AssertionFailure() << "unknown type did not fail";
  }
  static void TearDownTestSuite() { node_.reset(); }
  void SetUp() override { ASSERT_TRUE(started_); }

  std::optional<http_reply> get(const std::string& target, std::string key = "admin") {
    http_client c{node_->port()};
    if (key != "admin")
      c.set_api_key(std::move(key));
    return c.request("GET", target);
  }

  static inline std::unique_ptr<node_process> node_;
  static inline ::testing::AssertionResult started_ = ::testing::AssertionSuccess();
};

TEST_F(AnalyticsIntegrationTest, SummaryCountsEveryEchoTaskByTypeAndRegion) {
  auto r = get("/v3/analytics?window=5m&group_by=type,region&kind=task");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200u) << r->body;
  auto doc = r->json();
  EXPECT_EQ(doc["window"], "5m");
  EXPECT_EQ(doc["scope"], "node");
  auto echo = find_group(doc, "echo");
  ASSERT_FALSE(echo.is_null()) << doc.dump();
  EXPECT_EQ(echo["count"], echo_tasks);
  EXPECT_EQ(echo["region"], "test-region");
  EXPECT_EQ(echo["errors"], 0);
  EXPECT_GT(echo["p95_ms"].get<double>(), 0.0);
  // The unknown type is a client error (4xx), not in the error rate.
  auto unknown = find_group(doc, "no-such-type");
  ASSERT_FALSE(unknown.is_null()) << doc.dump();
  EXPECT_EQ(unknown["client_errors"], 1);
}

TEST_F(AnalyticsIntegrationTest, HttpRequestsAreMeasuredWithTheirKey) {
  auto r = get("/v3/analytics?window=5m&group_by=type&kind=http");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200u) << r->body;
  auto runs = find_group(r->json(), "tasks_run");
  ASSERT_FALSE(runs.is_null()) << r->body;
  EXPECT_EQ(runs["count"], echo_tasks + 1);
  EXPECT_GT(runs["bytes_in"].get<double>(), 0.0);
  EXPECT_GT(runs["bytes_out"].get<double>(), 0.0);
}

TEST_F(AnalyticsIntegrationTest, DurableTasksAreMeasuredWhenTheyFinish) {
  http_client c{node_->port()};
  auto r =
      c.post("/v3/tasks",
             R"({"type":"echo","payload":{"n":2},"options":{"async":true,"queue":"measured"}})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202u) << r->body;
  const auto id = r->json()["id"].get<std::string>();
  ASSERT_TRUE(eventually(
      [&] {
        auto t = get("/v3/tasks/" + id);
        return t && t->status == 200 && t->json()["status"] == "completed";
      },
      20s));
  // The report's usage counts it as durable (the queue actor measured it).
  ASSERT_TRUE(eventually(
      [&] {
        auto report = get("/v3/analytics/report?format=json&window=5m");
        if (!report || report->status != 200)
          return false;
        const auto doc = report->json();
        for (const auto& line : doc["costs"]["by_type"])
          if (line["type"] == "echo" && line["durable"].get<int>() == 1)
            return true;
        return false;
      },
      20s))
      << get("/v3/analytics/report?format=json&window=5m")->body;
}

TEST_F(AnalyticsIntegrationTest, WebSocketMessagesAndTheirTasksAreMeasured) {
  ws_client ws;
  ASSERT_TRUE(ws.connect(node_->port()));
  ASSERT_TRUE(ws.send({{"type", "ping"}, {"id", "p1"}}));
  ASSERT_TRUE(ws.recv_type("pong"));
  ASSERT_TRUE(ws.send({{"type", "task"},
                       {"id", "t1"},
                       {"task", {{"type", "echo"}, {"payload", {{"from", "ws"}}}}}}));
  ASSERT_TRUE(ws.recv_type("result"));
  ASSERT_TRUE(ws.send({{"type", "no-such-message"}, {"id", "x1"}}));
  ASSERT_TRUE(ws.recv_type("error"));
  auto group = [&](const std::string& target, const std::string& name) {
    nlohmann::json found;
    eventually(
        [&] {
          auto r = get(target);
          if (!r || r->status != 200)
            return false;
          found = find_group(r->json(), name);
          return !found.is_null();
        },
        20s);
    return found;
  };
  auto ping = group("/v3/analytics?window=5m&group_by=type,region&kind=websocket", "ping");
  ASSERT_FALSE(ping.is_null());
  EXPECT_EQ(ping["count"], 1);
  // Served by this node: its region, not "other" (a session's samples carry none).
  EXPECT_EQ(ping["region"], "test-region");
  auto task = group("/v3/analytics?window=5m&group_by=type&kind=websocket", "task");
  ASSERT_FALSE(task.is_null());
  EXPECT_EQ(task["count"], 1);
  auto invalid = group("/v3/analytics?window=5m&group_by=type&kind=websocket", "invalid");
  ASSERT_FALSE(invalid.is_null());
  EXPECT_EQ(invalid["client_errors"], 1);
  // The task the session ran is measured as a task too.
  auto echo = group("/v3/analytics?window=5m&group_by=type&kind=task", "echo");
  ASSERT_FALSE(echo.is_null());
  EXPECT_GE(echo["count"].get<int>(), echo_tasks + 1);
}

TEST_F(AnalyticsIntegrationTest, ClusterScopeOnASingleNodeIsMarkedPartial) {
  auto r = get("/v3/analytics?window=5m&group_by=type&scope=cluster");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200u) << r->body;
  auto doc = r->json();
  EXPECT_EQ(doc["scope"], "cluster");
  EXPECT_EQ(doc["partial"], true);
}

TEST_F(AnalyticsIntegrationTest, BadParametersAre400ProblemDocuments) {
  for (std::string q : {"window=7d", "group_by=colour", "kind=smtp", "scope=galaxy", "wndow=5m",
                        "window=5m&window=1h"}) {
    auto r = get("/v3/analytics?" + q);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400u) << q << ": " << r->body;
    EXPECT_EQ(r->header("Content-Type"), "application/problem+json") << q;
  }
}

TEST_F(AnalyticsIntegrationTest, AnalyticsNeedAKeyButMetricsAndDashboardDoNot) {
  auto r = get("/v3/analytics", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401u);
  auto m = get("/metrics", "");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 200u);
  EXPECT_THAT(m->header("Content-Type"), HasSubstr("text/plain; version=0.0.4"));
  auto d = get("/dashboard", "");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->status, 200u);
  EXPECT_THAT(d->header("Content-Type"), HasSubstr("text/html"));
  EXPECT_THAT(d->body, HasSubstr("/v3/analytics"));
  // No external asset (the issue): no URL to another origin, no script or
  // style file, no import.
  for (const char* outside : {"http://", "https://", "src=", "<link", "@import", "url("})
    EXPECT_THAT(d->body, ::testing::Not(HasSubstr(outside))) << outside;
}

TEST_F(AnalyticsIntegrationTest, MetricsCountTasksAndPassPromtool) {
  auto r = get("/metrics", "");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200u);
  EXPECT_THAT(r->body, HasSubstr("nzl_tasks_total{"));
  EXPECT_THAT(r->body, HasSubstr("type=\"echo\""));
  EXPECT_THAT(r->body, HasSubstr("nzl_http_requests_total{"));
  EXPECT_THAT(r->body, HasSubstr("nzl_task_duration_seconds_bucket{"));
  if (std::system("promtool --version > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "promtool is not installed (the prometheus package)";
  temp_dir dir;
  auto path = dir.path() / "metrics.txt";
  std::ofstream{path} << r->body;
  auto cmd =
      "promtool check metrics < " + path.string() + " > " + (dir.path() / "out").string() + " 2>&1";
  int rc = std::system(cmd.c_str());
  std::ifstream out{dir.path() / "out"};
  std::string text{std::istreambuf_iterator<char>{out}, {}};
  EXPECT_EQ(rc, 0) << text;
}

// Queue depths come from counters the queue actors keep: a task delayed by
// an hour waits in its queue, and /metrics says so without asking the actor.
TEST_F(AnalyticsIntegrationTest, MetricsShowQueueDepths) {
  http_client c{node_->port()};
  auto r = c.post(
      "/v3/tasks",
      R"({"type":"echo","payload":{},"options":{"async":true,"queue":"held","delay_ms":3600000}})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202u) << r->body;
  std::string body;
  EXPECT_TRUE(eventually(
      [&] {
        auto m = get("/metrics", "");
        body = m ? m->body : "";
        return body.find("nzl_queue_tasks{queue=\"held\",state=\"waiting\"} 1") !=
               std::string::npos;
      },
      20s))
      << body;
  EXPECT_THAT(body, HasSubstr("nzl_queue_tasks{queue=\"held\",state=\"running\"} 0"));
  EXPECT_THAT(body, HasSubstr("# TYPE nzl_executor_queue_depth gauge"));
}

TEST_F(AnalyticsIntegrationTest, ReportComesAsJsonCsvAndHtml) {
  auto j = get("/v3/analytics/report?format=json&window=1h");
  ASSERT_TRUE(j);
  ASSERT_EQ(j->status, 200u) << j->body;
  auto doc = j->json();
  for (auto field : {"total", "groups", "costs", "patterns", "anomalies", "recommendations"})
    EXPECT_TRUE(doc.contains(field)) << field;
  auto csv = get("/v3/analytics/report?format=csv");
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 200u);
  EXPECT_THAT(csv->header("Content-Type"), HasSubstr("text/csv"));
  EXPECT_THAT(csv->body, HasSubstr("echo"));
  auto html = get("/v3/analytics/report?format=html");
  ASSERT_TRUE(html);
  EXPECT_EQ(html->status, 200u);
  EXPECT_THAT(html->body, HasSubstr("<svg"));
  auto bad = get("/v3/analytics/report?format=pdf");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400u);
}

TEST_F(AnalyticsIntegrationTest, AlertRuleFiresIntoTheLogAndTheAlertsEndpoint) {
  json doc;
  for (int i = 0; i < 100; ++i) { // bounded: rules are evaluated every second
    auto r = get("/v3/analytics/alerts");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200u) << r->body;
    doc = r->json();
    if (!doc["events"].empty())
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(doc["events"].empty()) << doc.dump();
  EXPECT_EQ(doc["events"][0]["rule"], "echo-slow");
  EXPECT_EQ(doc["events"][0]["state"], "firing");
  EXPECT_EQ(doc["firing"].size(), 1u);
  auto seq = doc["last_seq"].get<std::uint64_t>();
  auto later = get("/v3/analytics/alerts?since=" + std::to_string(seq));
  ASSERT_TRUE(later);
  EXPECT_TRUE(later->json()["events"].empty());
  auto logged = node_->log_events("alert");
  ASSERT_FALSE(logged.empty());
}

// A real Prometheus scrapes the node's /metrics and answers a query for one
// of its series.
TEST_F(AnalyticsIntegrationTest, PrometheusScrapesTheNode) {
  if (::access("/usr/bin/prometheus", X_OK) != 0)
    GTEST_SKIP() << "/usr/bin/prometheus is not installed";
  temp_dir dir;
  const auto port = free_port();
  {
    std::ofstream cfg{dir.path() / "prometheus.yml"};
    cfg << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        << "scrape_configs:\n  - job_name: nzl\n    static_configs:\n      - targets: ['127.0.0.1:"
        << node_->port() << "']\n";
  }
  const auto log_path = dir.path() / "prometheus.log";
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto cfg = "--config.file=" + (dir.path() / "prometheus.yml").string();
    auto storage = "--storage.tsdb.path=" + (dir.path() / "data").string();
    auto listen = "--web.listen-address=127.0.0.1:" + std::to_string(port);
    std::FILE* f = std::freopen(log_path.c_str(), "w", stderr);
    (void)f;
    ::execl("/usr/bin/prometheus", "prometheus", cfg.c_str(), storage.c_str(), listen.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  bool found = false;
  std::string last;
  for (int i = 0; i < 300 && !found; ++i) { // bounded: 30 s
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    http_client p{static_cast<std::uint16_t>(port), std::chrono::seconds(2)};
    p.set_api_key("");
    auto r = p.request("GET", "/api/v1/query?query=nzl_tasks_total%7Btype%3D%22echo%22%7D");
    if (!r || r->status != 200)
      continue;
    last = r->body;
    auto doc = r->json();
    found = !doc.is_discarded() && doc["status"] == "success" && !doc["data"]["result"].empty() &&
            doc["data"]["result"][0]["metric"]["type"] == "echo";
  }
  ::kill(pid, SIGTERM);
  int status = 0;
  for (int i = 0; i < 100 && ::waitpid(pid, &status, WNOHANG) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (::waitpid(pid, &status, WNOHANG) == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  std::ifstream log{log_path};
  std::string log_text{std::istreambuf_iterator<char>{log}, {}};
  EXPECT_TRUE(found) << "last answer: " << last << "\nprometheus log tail: "
                     << log_text.substr(log_text.size() > 2000 ? log_text.size() - 2000 : 0);
}

} // namespace
} // namespace nzl::test
