// cluster_service in process, with a fake local runtime and no peers: what
// it reports of this node in GET /v3/cluster (issue 5 audit).
#include "actors/cluster/cluster_service.hpp"
#include "tests/support/poll.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>

namespace nzl::actors::cluster {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using nzl::test::eventually;

// A local runtime that runs nothing: the test only reads the status.
class idle_runtime final : public net::task_service {
public:
  void run(task_request r, outcome_handler done) override {
    task_outcome o;
    o.id = r.id;
    o.value = json::object();
    done(std::move(o));
  }
  void run_batch(std::vector<task_request>, batch_handler done) override { done({}); }
  void enqueue(task_request, json_handler done) override { done(fail(errc::not_found, "")); }
  void get_task(std::string, json_handler done) override { done(fail(errc::not_found, "")); }
  void cancel_task(std::string, json_handler done) override { done(fail(errc::not_found, "")); }
  void retry_task(std::string, json_handler done) override { done(fail(errc::not_found, "")); }
  void queue_stats(std::string, json_handler done) override { done(fail(errc::not_found, "")); }
  void idempotency_begin(std::string, std::string, idempotency_handler done) override {
    done(idempotency_verdict::proceed, {});
  }
  void idempotency_finish(std::string, std::optional<net::http_response>,
                          std::function<void()> done) override {
    done();
  }
  [[nodiscard]] bool ready() const noexcept override { return true; }
  [[nodiscard]] std::string_view region() const noexcept override { return "r1"; }
};

cluster_options one_node() {
  cluster_options o;
  o.cluster_name = "unit";
  o.node = "r1";
  o.region = "r1";
  o.listen_port = 0;
  o.heartbeat = 10ms;
  auto table = nzl::cluster::routing_table::make({}, {"r1"});
  EXPECT_TRUE(table);
  o.routing = std::move(table).value();
  return o;
}

json self_load(const cluster_service& s) {
  auto doc = s.status();
  return doc["regions"][0]["nodes"][0]["load"];
}

// Regression: queue_depth was never filled in (always 0); the node now
// reports what its hook says, with every heartbeat.
TEST(ClusterServiceTest, QueueDepthComesFromTheHook) {
  idle_runtime local;
  std::atomic<std::uint32_t> waiting{7};
  auto o = one_node();
  o.queue_depth = [&waiting] {
    return waiting.load();
  };
  cluster_service s{std::move(o), local};
  ASSERT_TRUE(s.start());
  EXPECT_TRUE(eventually([&] { return self_load(s)["queue_depth"] == 7; }, 10s))
      << self_load(s).dump();
  waiting = 3;
  EXPECT_TRUE(eventually([&] { return self_load(s)["queue_depth"] == 3; }, 10s))
      << self_load(s).dump();
  s.stop();
}

TEST(ClusterServiceTest, NoHookIsZero) {
  idle_runtime local;
  cluster_service s{one_node(), local};
  ASSERT_TRUE(s.start());
  EXPECT_EQ(self_load(s)["queue_depth"], 0);
  s.stop();
}

} // namespace
} // namespace nzl::actors::cluster
