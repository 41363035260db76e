// Cluster links over TLS (issue 5): two private CAs are made at run time with
// the openssl command; nodes whose certificates come from the cluster's CA
// link and forward tasks, a node with a certificate of another CA is refused
// (never up, its tasks 503), a half-configured cluster.tls stops the node at
// start, and an idle TLS link does not spin (CAF issue #1060: 100% CPU on
// SSL_ERROR_WANT_READ in CAF 0.17). No timing is asserted: every wait is a
// bounded poll of a state; the CPU check compares CPU seconds with wall
// seconds (a spin is ~100%, an idle node ~1%).
#include "tests/support/cluster_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/problem_check.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace nzl::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Every node finds its certificate, key and CA under the same relative names:
// a node runs in its own directory (node_process), so one manifest serves all.
const json tls_section{
    {"tls", {{"cert_file", "node.crt"}, {"key_file", "node.key"}, {"ca_file", "ca.crt"}}}};

// Generous windows: a loaded machine (sanitizers, CI) may stall a node for
// hundreds of milliseconds; these tests are about certificates, not liveness.
json cluster_section(const std::vector<std::string>& countries_regions) {
  json c = tls_section;
  c.update(json{{"heartbeat_ms", 200}, {"suspect_after_ms", 2000}, {"down_after_ms", 5000}});
  json countries = json::object();
  const std::vector<std::string> codes{"US", "FR", "JP"};
  for (std::size_t i = 0; i < countries_regions.size() && i < codes.size(); ++i)
    countries[codes[i]] = countries_regions[i];
  c["routing"] = json{{"default", countries_regions.front()}, {"countries", countries}};
  return c;
}

// Runs `command` with /bin/sh in `dir`; its output goes to dir/openssl.log.
::testing::AssertionResult shell(const fs::path& dir, const std::string& command) {
  const std::string line = "cd '" + dir.string() + "' && { " + command + " ; } >>openssl.log 2>&1";
  int status = std::system(line.c_str());
  if (status == 0)
    return ::testing::AssertionSuccess();
  std::ifstream log{dir / "openssl.log"};
  std::stringstream text;
  text << log.rdbuf();
  return ::testing::AssertionFailure() << "`" << command << "` failed (" << status << "):\n"
                                       << text.str();
}

// A private CA: `name`.crt and `name`.key in `dir`.
::testing::AssertionResult make_ca(const fs::path& dir, const std::string& name) {
  return shell(dir, "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                    "-keyout " +
                        name + ".key -out " + name + ".crt -days 2 -subj /CN=" + name);
}

// A node certificate signed by CA `ca` (made by make_ca in `dir`), copied
// with the CA certificate `trust` to `node_dir` as node.crt, node.key, ca.crt.
::testing::AssertionResult make_node_cert(const fs::path& dir, const std::string& ca,
                                          const std::string& node, const std::string& trust,
                                          const fs::path& node_dir) {
  auto made =
      shell(dir, "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                 "-keyout " +
                     node + ".key -out " + node + ".csr -subj /CN=" + node +
                     " && openssl x509 -req -in " + node + ".csr -CA " + ca + ".crt -CAkey " + ca +
                     ".key -CAcreateserial -out " + node + ".crt -days 2");
  if (!made)
    return made;
  std::error_code ec;
  fs::copy_file(dir / (node + ".crt"), node_dir / "node.crt", ec);
  if (!ec)
    fs::copy_file(dir / (node + ".key"), node_dir / "node.key", ec);
  if (!ec)
    fs::copy_file(dir / (trust + ".crt"), node_dir / "ca.crt", ec);
  if (ec)
    return ::testing::AssertionFailure() << "copying certificates: " << ec.message();
  return ::testing::AssertionSuccess();
}

// The state of the node of `region` as the node on `port` sees it, or "?".
std::string node_state(std::uint16_t port, const std::string& region) {
  http_client c{port, 2s};
  auto r = c.request("GET", "/v3/cluster");
  if (!r || r->status != 200)
    return "?";
  auto doc = r->json();
  if (!doc.is_object() || !doc.contains("regions"))
    return "?";
  for (const auto& reg : doc["regions"])
    if (reg.value("name", "") == region && !reg["nodes"].empty())
      return reg["nodes"][0].value("state", "?");
  return "?";
}

std::optional<http_reply> echo_pinned(http_client& c, const std::string& region) {
  json body{{"type", "echo"}, {"payload", {{"to", region}}}, {"options", {{"region", region}}}};
  return c.post("/v3/tasks", body.dump());
}

// utime + stime of `pid` in seconds (/proc/PID/stat fields 14 and 15), or -1.
double cpu_seconds(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  // The command name (field 2) may hold spaces: count fields after its ')'.
  auto close = text.rfind(')');
  if (close == std::string::npos)
    return -1;
  std::istringstream fields{text.substr(close + 2)};
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14)
      utime = std::stoull(field);
    if (i == 15)
      stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

class ClusterTlsTest : public ::testing::Test {
protected:
  temp_dir pki_;
};

// us-east and eu-west have certificates of the cluster's CA; asia-east (the
// smallest name, so it dials both others) has one of another CA and trusts
// only that CA, as a node of another cluster would.
class ClusterTlsIntruderTest : public ClusterTlsTest {
protected:
  ClusterTlsIntruderTest() : cluster_(regions_, cluster_section(regions_), {}, "debug") {}

  void SetUp() override {
    ASSERT_TRUE(make_ca(pki_.path(), "ca1"));
    ASSERT_TRUE(make_ca(pki_.path(), "ca2"));
    ASSERT_TRUE(make_node_cert(pki_.path(), "ca1", "us-east", "ca1", cluster_.node(0).dir()));
    ASSERT_TRUE(make_node_cert(pki_.path(), "ca1", "eu-west", "ca1", cluster_.node(1).dir()));
    ASSERT_TRUE(make_node_cert(pki_.path(), "ca2", "asia-east", "ca2", cluster_.node(2).dir()));
  }

  ::testing::AssertionResult pair_linked() {
    if (eventually(
            [&] {
              return node_state(cluster_.http_port(0), "eu-west") == "up" &&
                     node_state(cluster_.http_port(1), "us-east") == "up";
            },
            30s))
      return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "us-east sees eu-west " << node_state(cluster_.http_port(0), "eu-west")
           << ", eu-west sees us-east " << node_state(cluster_.http_port(1), "us-east");
  }

  // The intruder's failed dials to `peer` (cluster_dial_failed: warn, then debug).
  std::vector<json> refusals(const std::string& peer) {
    std::vector<json> out;
    for (auto& e : cluster_.node(2).log_events("cluster_dial_failed"))
      if (e.value("node", "") == peer)
        out.push_back(std::move(e));
    return out;
  }

  // How often node `i` lost its link to `peer` (cluster_peer ... to down).
  int links_lost(std::size_t i, const std::string& peer) {
    int n = 0;
    for (const auto& e : cluster_.node(i).log_events("cluster_peer"))
      if (e.value("node", "") == peer && e.value("to", "") == "down")
        ++n;
    return n;
  }

  const std::vector<std::string> regions_{"us-east", "eu-west", "asia-east"};
  cluster_process cluster_;
};

TEST_F(ClusterTlsIntruderTest, NodesOfTheClusterCaLinkAndForward) {
  // The intruder is not started: this is the plain TLS link.
  ASSERT_TRUE(cluster_.node(0).start());
  ASSERT_TRUE(cluster_.node(1).start());
  ASSERT_TRUE(pair_linked());
  for (std::size_t i : {0u, 1u}) {
    http_client c{cluster_.http_port(i)};
    auto r = echo_pinned(c, regions_[1 - i]);
    ASSERT_TRUE(r) << c.error();
    ASSERT_EQ(r->status, 200u) << r->body;
    EXPECT_EQ(r->json()["region"], regions_[1 - i]);
    EXPECT_EQ(r->header("X-Served-By-Region"), regions_[1 - i]);
  }
  http_client us{cluster_.http_port(0)};
  auto doc = us.request("GET", "/v3/cluster");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->json()["tls"], true);
}

TEST_F(ClusterTlsIntruderTest, NodeOfAnotherCaIsRefusedAndNeverUp) {
  for (std::size_t i = 0; i < cluster_.size(); ++i)
    ASSERT_TRUE(cluster_.node(i).start());
  // The intruder keeps dialling and keeps failing the TLS handshake: wait
  // until it has failed several times against each peer, checking at every
  // step that neither cluster node ever sees it up.
  bool seen_up = false;
  bool refused = eventually(
      [&] {
        for (std::size_t i : {0u, 1u})
          if (node_state(cluster_.http_port(i), "asia-east") == "up")
            seen_up = true;
        return refusals("us-east").size() >= 3 && refusals("eu-west").size() >= 3;
      },
      60s);
  EXPECT_TRUE(refused) << "the CA2 node's log:\n" << cluster_.node(2).log_text();
  EXPECT_FALSE(seen_up) << "a node with a certificate of another CA was seen up";
  EXPECT_NE(node_state(cluster_.http_port(0), "asia-east"), "up");
  EXPECT_NE(node_state(cluster_.http_port(1), "asia-east"), "up");
  EXPECT_NE(node_state(cluster_.http_port(2), "us-east"), "up");
  // The refusal as it is visible: the dialling side's log, at warn for the
  // first failure in a row (CAF logs nothing, the accepting side never gets a
  // hello to refuse).
  auto failures = refusals("us-east");
  ASSERT_FALSE(failures.empty());
  EXPECT_EQ(failures.front().value("level", ""), "warn") << failures.front().dump();
  EXPECT_EQ(failures.front().value("failures_in_a_row", 0), 1) << failures.front().dump();
  std::cout << "[ info     ] a refused dial, as the CA2 node logs it: " << failures.front().dump()
            << '\n';
  EXPECT_NE(failures.front().value("detail", "").find("handshake"), std::string::npos)
      << failures.front().dump();

  // Its tasks are not forwarded to it, nor its tasks from it.
  http_client us{cluster_.http_port(0)};
  auto pinned = echo_pinned(us, "asia-east");
  ASSERT_TRUE(pinned) << us.error();
  EXPECT_TRUE(is_problem(*pinned, 503, "unavailable")) << pinned->body;
  http_client asia{cluster_.http_port(2)};
  auto from_intruder = echo_pinned(asia, "us-east");
  ASSERT_TRUE(from_intruder) << asia.error();
  EXPECT_TRUE(is_problem(*from_intruder, 503, "unavailable")) << from_intruder->body;
}

// A refused handshake must not cost the cluster's own nodes their link.
TEST_F(ClusterTlsIntruderTest, IntrudersHandshakesDoNotBreakTheClusterLink) {
  ASSERT_TRUE(cluster_.node(0).start());
  ASSERT_TRUE(cluster_.node(1).start());
  ASSERT_TRUE(pair_linked());
  ASSERT_TRUE(cluster_.node(2).start());
  eventually([&] { return refusals("us-east").size() >= 5 && refusals("eu-west").size() >= 5; },
             60s);
  EXPECT_EQ(links_lost(0, "eu-west"), 0)
      << "us-east lost its link to eu-west while a foreign-CA node was refused";
  EXPECT_EQ(links_lost(1, "us-east"), 0)
      << "eu-west lost its link to us-east while a foreign-CA node was refused";
  http_client us{cluster_.http_port(0)};
  auto r = echo_pinned(us, "eu-west");
  ASSERT_TRUE(r) << us.error();
  EXPECT_EQ(r->status, 200u) << r->body;
}

TEST_F(ClusterTlsTest, IdleTlsLinkUsesLittleCpu) {
  const std::vector<std::string> regions{"us-east", "eu-west"};
  cluster_process cluster{regions, cluster_section(regions)};
  ASSERT_TRUE(make_ca(pki_.path(), "ca1"));
  ASSERT_TRUE(make_node_cert(pki_.path(), "ca1", "us-east", "ca1", cluster.node(0).dir()));
  ASSERT_TRUE(make_node_cert(pki_.path(), "ca1", "eu-west", "ca1", cluster.node(1).dir()));
  for (std::size_t i = 0; i < cluster.size(); ++i)
    ASSERT_TRUE(cluster.node(i).start());
  ASSERT_TRUE(eventually([&] { return node_state(cluster.http_port(0), "eu-west") == "up"; }, 30s));
  ASSERT_TRUE(eventually([&] { return node_state(cluster.http_port(1), "us-east") == "up"; }, 30s));
  // One forwarded task each way, so both TLS sessions have carried data.
  for (std::size_t i : {0u, 1u}) {
    http_client c{cluster.http_port(i)};
    auto r = echo_pinned(c, regions[1 - i]);
    ASSERT_TRUE(r) << c.error();
    ASSERT_EQ(r->status, 200u) << r->body;
  }

  // Measured, not waited on: the CPU both nodes use while left alone.
  const double before[2] = {cpu_seconds(cluster.node(0).pid()), cpu_seconds(cluster.node(1).pid())};
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(5s);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (std::size_t i : {0u, 1u}) {
    ASSERT_GE(before[i], 0);
    const double used = cpu_seconds(cluster.node(i).pid()) - before[i];
    std::cout << "[ info     ] idle " << regions[i] << ": " << used << " CPU s in " << wall
              << " s\n";
    EXPECT_LT(used, 0.5 * wall) << regions[i] << " used " << used << " CPU seconds in " << wall
                                << " idle seconds: the TLS link spins (CAF #1060)";
  }
}

// A manifest whose cluster.tls names a file that is missing (or leaves one
// out) stops the node at start with a message; it never runs a cluster link
// without certificate checks.
TEST_F(ClusterTlsTest, MissingCertificateFileStopsTheNode) {
  temp_dir dir;
  ASSERT_TRUE(make_ca(dir.path(), "ca1"));
  ASSERT_TRUE(make_node_cert(dir.path(), "ca1", "us-east", "ca1", dir.path() / "."));
  const std::vector<std::string> regions{"us-east", "eu-west"};
  cluster_process cluster{regions, cluster_section(regions)};
  auto manifest_with = [&](const json& tls) {
    json m = test_manifest(cluster.node(0).options());
    m["cluster"]["tls"] = tls;
    return m;
  };
  const auto crt = (dir.path() / "node.crt").string();
  const auto key = (dir.path() / "node.key").string();
  const auto ca = (dir.path() / "ca.crt").string();
  const auto gone = (dir.path() / "no-such-ca.crt").string();
  struct variant {
    std::string name;
    json tls;
    std::string named; ///< what the message must name
  };
  const std::vector<variant> variants{
      {"ca_file left out", json{{"cert_file", crt}, {"key_file", key}}, "ca_file"},
      {"ca_file missing", json{{"cert_file", crt}, {"key_file", key}, {"ca_file", gone}}, gone},
      {"key_file missing", json{{"cert_file", crt}, {"key_file", key + ".gone"}, {"ca_file", ca}},
       key + ".gone"},
  };
  for (const auto& v : variants) {
    SCOPED_TRACE(v.name);
    auto path = dir.write("manifest-" + std::to_string(&v - variants.data()) + ".json",
                          manifest_with(v.tls).dump(2));
    auto out = run_node_cli({"--manifest", path.string(), "--region", "us-east", "--data-dir",
                             (dir.path() / "data").string()});
    ASSERT_TRUE(out.exit_status) << "the node did not stop: " << out.output;
    // A manifest the schema refuses exits 2; a named file that is missing
    // is found later, when the cluster starts, and exits 1 today (issue 5
    // report: a manifest error should be 2 as well).
    if (v.name == "ca_file left out")
      EXPECT_EQ(*out.exit_status, 2) << out.output;
    else
      EXPECT_NE(*out.exit_status, 0) << out.output;
    EXPECT_NE(out.output.find(v.named), std::string::npos) << out.output;
    EXPECT_EQ(out.output.find("\"listening\""), std::string::npos) << out.output;
  }
}

} // namespace
} // namespace nzl::test
