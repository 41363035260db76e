// Three real nodes of one cluster on loopback (issue 5): routing by country
// from any node, failover when a node is killed (kill -9) in the middle of a
// stream of requests, rejoin after restart, nodes started in reverse order,
// durable tasks reached at their home, operator failover and failback.
// No timing is asserted: every wait is a bounded poll of a state.
#include "tests/support/cluster_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/problem_check.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <map>
#include <mutex>
#include <thread>

namespace nzl::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::vector<std::string> regions{"us-east", "eu-west", "asia-east"};
const std::map<std::string, std::string> home_of{
    {"US", "us-east"}, {"FR", "eu-west"}, {"JP", "asia-east"}};

// Liveness windows for a loaded machine: the fresh-clone CI run had load 8+
// with sanitizer builds, where a node can miss a 1 s heartbeat window and be
// declared down although it runs. Crashes do not wait for these windows (a
// kill -9 is a down message at once), so they only make the tests robust.
json routing() {
  return json{{"heartbeat_ms", 200},
              {"suspect_after_ms", 2000},
              {"down_after_ms", 6000},
              {"routing",
               {{"default", "us-east"},
                {"countries", {{"US", "us-east"}, {"FR", "eu-west"}, {"JP", "asia-east"}}}}}};
}

std::vector<json> fallbacks() {
  return {json{{"fallback", {"eu-west", "asia-east"}}},
          json{{"fallback", {"us-east", "asia-east"}}}, json{{"fallback", {"us-east", "eu-west"}}}};
}

std::optional<http_reply> echo(http_client& c, const std::string& country,
                               const json& options = json::object()) {
  json body{{"type", "echo"}, {"payload", {{"from", country}}}};
  if (!options.empty())
    body["options"] = options;
  return c.post("/v3/tasks", body.dump(), {{"CF-IPCountry", country}});
}

// The state of `region` as node `port` sees it in GET /v3/cluster.
std::string region_state(std::uint16_t port, const std::string& region) {
  http_client c{port, 2s};
  auto r = c.request("GET", "/v3/cluster");
  if (!r || r->status != 200)
    return "?";
  auto doc = r->json();
  for (const auto& reg : doc["regions"])
    if (reg["name"] == region)
      return reg["state"].get<std::string>();
  return "?";
}

::testing::AssertionResult all_linked(cluster_process& c) {
  bool ok = eventually(
      [&] {
        for (std::size_t i = 0; i < c.size(); ++i)
          for (const auto& r : regions)
            if (region_state(c.http_port(i), r) != "up")
              return false;
        return true;
      },
      30s);
  if (ok)
    return ::testing::AssertionSuccess();
  http_client cl{c.http_port(0), 2s};
  auto r = cl.request("GET", "/v3/cluster");
  return ::testing::AssertionFailure()
         << "not every node sees every region up: " << (r ? r->body : cl.error());
}

class ClusterIntegrationTest : public ::testing::Test {
protected:
  ClusterIntegrationTest() : cluster_(regions, routing(), fallbacks()) {}

  void start_all() {
    for (std::size_t i = 0; i < cluster_.size(); ++i)
      ASSERT_TRUE(cluster_.node(i).start());
    ASSERT_TRUE(all_linked(cluster_));
  }

  cluster_process cluster_;
};

TEST_F(ClusterIntegrationTest, EachCountryRunsInItsHomeRegionFromAnyNode) {
  start_all();
  for (std::size_t i = 0; i < cluster_.size(); ++i) {
    http_client c{cluster_.http_port(i)};
    for (const auto& [country, home] : home_of) {
      auto r = echo(c, country);
      ASSERT_TRUE(r) << c.error();
      ASSERT_EQ(r->status, 200u) << r->body;
      EXPECT_EQ(r->json()["region"], home)
          << "country " << country << " via " << cluster_.region(i);
      EXPECT_EQ(r->header("X-Served-By-Region"), home);
      EXPECT_EQ(r->json()["result"]["from"], country);
    }
  }
}

TEST_F(ClusterIntegrationTest, ClusterStatusShowsEveryRegionAndNode) {
  start_all();
  http_client c{cluster_.http_port(1)};
  auto r = c.request("GET", "/v3/cluster");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200u);
  auto doc = r->json();
  EXPECT_EQ(doc["region"], "eu-west");
  ASSERT_TRUE(doc["protocol_version"].is_number_unsigned()) << doc.dump();
  EXPECT_GE(doc["protocol_version"].get<unsigned>(), 1u);
  ASSERT_EQ(doc["regions"].size(), 3u);
  for (const auto& reg : doc["regions"]) {
    ASSERT_EQ(reg["nodes"].size(), 1u);
    const auto& n = reg["nodes"][0];
    EXPECT_EQ(n["state"], "up");
    EXPECT_TRUE(n.contains("rtt_ms"));
    EXPECT_TRUE(n["load"].contains("in_flight"));
    EXPECT_TRUE(n.contains("last_heartbeat_ms_ago"));
  }
}

TEST_F(ClusterIntegrationTest, KilledNodeIsRoutedAroundAndTakesTrafficBackAfterRestart) {
  start_all();
  // A steady stream of JP requests (home asia-east) through us-east.
  std::atomic<bool> stop{false};
  std::mutex mutex; // guards the tallies below
  std::map<std::string, int> served_by;
  std::vector<std::string> bad;
  int total = 0;
  std::thread stream{[&] {
    http_client c{cluster_.http_port(0)};
    while (!stop.load()) {
      auto r = echo(c, "JP");
      std::lock_guard guard{mutex};
      ++total;
      if (!r) {
        bad.push_back("no reply: " + c.error());
        continue;
      }
      // Any answer but a 2xx is a failure (a 429 too: the tier never refuses).
      if (r->status < 200 || r->status >= 300)
        bad.push_back(std::to_string(r->status) + " " + r->body);
      else
        ++served_by[r->json().value("region", "?")];
    }
  }};
  auto served = [&](const std::string& region) {
    std::lock_guard guard{mutex};
    return served_by[region];
  };
  ASSERT_TRUE(eventually([&] { return served("asia-east") >= 20; }, 20s));
  ASSERT_TRUE(cluster_.node(2).kill_hard());
  EXPECT_TRUE(
      eventually([&] { return region_state(cluster_.http_port(0), "asia-east") == "down"; }, 20s));
  EXPECT_TRUE(
      eventually([&] { return region_state(cluster_.http_port(1), "asia-east") == "down"; }, 20s));
  // JP's fallback list is us-east, eu-west.
  int before = served("us-east");
  EXPECT_TRUE(eventually([&] { return served("us-east") >= before + 20; }, 20s));

  ASSERT_TRUE(cluster_.node(2).restart());
  EXPECT_TRUE(all_linked(cluster_));
  int back = served("asia-east");
  EXPECT_TRUE(eventually([&] { return served("asia-east") >= back + 20; }, 20s))
      << "asia-east did not take its traffic back";
  stop.store(true);
  stream.join();
  std::lock_guard guard{mutex};
  EXPECT_TRUE(bad.empty()) << bad.size() << " of " << total
                           << " idempotent requests failed, first: " << bad.front();
}

TEST_F(ClusterIntegrationTest, PinnedRegionDownIs503UnlessFallback) {
  start_all();
  ASSERT_TRUE(cluster_.node(1).kill_hard());
  ASSERT_TRUE(
      eventually([&] { return region_state(cluster_.http_port(0), "eu-west") == "down"; }, 20s));
  http_client c{cluster_.http_port(0)};
  auto pinned = echo(c, "US", json{{"region", "eu-west"}});
  ASSERT_TRUE(pinned);
  EXPECT_TRUE(is_problem(*pinned, 503, "unavailable"));
  EXPECT_NE(pinned->json()["detail"].get<std::string>().find("eu-west"), std::string::npos);
  auto fallback = echo(c, "US", json{{"region", "eu-west"}, {"fallback", true}});
  ASSERT_TRUE(fallback);
  EXPECT_EQ(fallback->status, 200u) << fallback->body;
  EXPECT_EQ(fallback->json()["region"], "us-east");
  auto unknown = echo(c, "US", json{{"region", "mars"}});
  ASSERT_TRUE(unknown);
  EXPECT_TRUE(is_problem(*unknown, 400, "invalid_field"));
}

TEST_F(ClusterIntegrationTest, NodesStartedInReverseOrderStillLink) {
  for (std::size_t i = cluster_.size(); i-- > 0;)
    ASSERT_TRUE(cluster_.node(i).start());
  EXPECT_TRUE(all_linked(cluster_));
  http_client c{cluster_.http_port(2)};
  auto r = echo(c, "FR");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->json()["region"], "eu-west");
}

// A node that stalls (SIGSTOP: a long GC-like pause, a starved VM) for
// longer than the down window is declared down by its peers; once it runs
// again every node must forward to it again, whichever side noticed the
// silence first. asia-east has the smallest name, so it dials both others.
TEST_F(ClusterIntegrationTest, StalledNodeIsLinkedAgainBothWays) {
  start_all();
  cluster_.node(2).send_signal(SIGSTOP);
  bool seen_down =
      eventually([&] { return region_state(cluster_.http_port(0), "asia-east") == "down"; }, 30s);
  cluster_.node(2).send_signal(SIGCONT);
  ASSERT_TRUE(seen_down);
  ASSERT_TRUE(all_linked(cluster_));
  for (std::size_t i : {0u, 1u}) {
    http_client c{cluster_.http_port(i)};
    std::string last;
    EXPECT_TRUE(eventually(
        [&] {
          auto r = echo(c, "JP");
          last = r ? std::to_string(r->status) + " " + r->body : c.error();
          return r && r->status == 200 && r->json()["region"] == "asia-east";
        },
        20s))
        << "JP from " << cluster_.region(i) << " after asia-east resumed: " << last;
  }
}

TEST_F(ClusterIntegrationTest, DurableTaskLivesAtItsHomeAndIsReachedFromAnyNode) {
  start_all();
  http_client us{cluster_.http_port(0)};
  auto r = echo(us, "FR", json{{"async", true}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202u) << r->body;
  auto id = r->json()["id"].get<std::string>();
  EXPECT_EQ(id.rfind("eu-west.", 0), 0u) << id;
  bool done = eventually(
      [&] {
        auto g = us.request("GET", "/v3/tasks/" + id);
        return g && g->status == 200 && g->json().value("status", "") == "completed";
      },
      20s);
  EXPECT_TRUE(done);
  http_client asia{cluster_.http_port(2)};
  auto g = asia.request("GET", "/v3/tasks/" + id);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->status, 200u) << g->body;
  ASSERT_TRUE(cluster_.node(1).kill_hard());
  ASSERT_TRUE(
      eventually([&] { return region_state(cluster_.http_port(0), "eu-west") == "down"; }, 20s));
  auto gone = us.request("GET", "/v3/tasks/" + id);
  ASSERT_TRUE(gone);
  EXPECT_TRUE(is_problem(*gone, 503, "unavailable"));
  EXPECT_TRUE(gone->has_header("Retry-After"));
  auto del = us.request("DELETE", "/v3/tasks/" + id);
  ASSERT_TRUE(del);
  EXPECT_TRUE(is_problem(*del, 503, "unavailable"));
}

TEST_F(ClusterIntegrationTest, FailoverDrainsRegionAndFailbackRestoresIt) {
  start_all();
  http_client c{cluster_.http_port(0)};
  auto f = c.post("/v3/admin/cluster/failover", R"({"from":"eu-west","to":"asia-east"})");
  ASSERT_TRUE(f);
  ASSERT_EQ(f->status, 200u) << f->body;
  EXPECT_TRUE(eventually(
      [&] {
        auto r = echo(c, "FR");
        return r && r->status == 200 && r->json()["region"] == "asia-east";
      },
      20s));
  EXPECT_TRUE(
      eventually([&] { return region_state(cluster_.http_port(2), "eu-west") == "drained"; }, 20s))
      << region_state(cluster_.http_port(2), "eu-west");
  auto b = c.post("/v3/admin/cluster/failback", R"({"region":"eu-west"})");
  ASSERT_TRUE(b);
  ASSERT_EQ(b->status, 200u) << b->body;
  EXPECT_TRUE(eventually(
      [&] {
        auto r = echo(c, "FR");
        return r && r->status == 200 && r->json()["region"] == "eu-west";
      },
      20s));
}

} // namespace
} // namespace nzl::test
