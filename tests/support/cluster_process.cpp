#include "tests/support/cluster_process.hpp"

#include "tests/support/caf_lsan.hpp"
#include "tests/support/http_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fstream>
#include <netinet/in.h>
#include <random>
#include <set>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nzl::test {

using nlohmann::json;

namespace {

// Test processes run in parallel (ctest -j) and each picks ports from the
// same range, so a bind check alone lets two processes hand out one port
// (CI saw a cluster node fail "cannot listen" that way). An flock on a file
// named after the port reserves it across processes; the descriptor stays
// open for the life of this process, and the kernel drops the lock when the
// process ends, however it ends.
bool reserve_across_processes(std::uint16_t port) {
  static const std::string dir = [] {
    std::string d = "/tmp/nzl-test-ports";
    ::mkdir(d.c_str(), 01777);
    ::chmod(d.c_str(), 01777); // mkdir honours umask; every user's tests share it
    return d;
  }();
  std::string path = dir + "/" + std::to_string(port);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0)
    return false;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return false;
  }
  return true; // fd deliberately kept open: it is the reservation
}

} // namespace

std::uint16_t free_loopback_port() {
  static std::set<std::uint16_t> given; // never hand out one port twice in a process
  std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<int> pick{20000, 32000};
  for (int attempt = 0; attempt < 200; ++attempt) {
    auto port = static_cast<std::uint16_t>(pick(rng));
    if (given.count(port) || !reserve_across_processes(port))
      continue;
    given.insert(port); // reserved now, even if another program holds it
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
      continue;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (ok)
      return port;
  }
  return 0;
}

namespace {

// The security section replaces test_manifest's: keep its tier that never
// refuses (a request stream must not meet the default 1000/min limit), and
// trust loopback as a proxy so that tests can set CF-IPCountry.
json cluster_security() {
  return json{{"trusted_proxies", json::array({"127.0.0.1/32"})},
              {"rate_limit_tiers", {{"default", {{"quota", 1000000}, {"window_s", 1}}}}}};
}

// A cluster node runs a CAF middleman, which leaks at exit (caf_lsan.hpp):
// its suppressions go to a file in the node's own dir (its cwd).
std::unique_ptr<node_process> cluster_node(node_options o) {
  o.env.emplace_back("LSAN_OPTIONS", "suppressions=caf_lsan.supp:print_suppressions=0");
  auto node = std::make_unique<node_process>(std::move(o));
  std::ofstream{node->dir() / "caf_lsan.supp"} << caf_lsan_suppressions;
  return node;
}

} // namespace

cluster_process::cluster_process(std::vector<std::string> regions, json cluster,
                                 std::vector<json> region_extra, std::string log_level)
    : regions_(std::move(regions)) {
  json list = json::array();
  for (std::size_t i = 0; i < regions_.size(); ++i) {
    http_ports_.push_back(free_loopback_port());
    json r{{"name", regions_[i]},
           {"http", {{"host", "127.0.0.1"}, {"port", http_ports_.back()}}},
           {"cluster", {{"host", "127.0.0.1"}, {"port", free_loopback_port()}}},
           {"io_threads", 1},
           {"executor_threads", 2}};
    if (i < region_extra.size())
      r.update(region_extra[i]);
    list.push_back(std::move(r));
  }
  json c{{"name", "it-cluster"},  {"heartbeat_ms", 100},     {"suspect_after_ms", 400},
         {"down_after_ms", 1000}, {"reconnect_base_ms", 50}, {"reconnect_cap_ms", 500}};
  c.update(cluster);
  manifest_ = json{{"version", 1}, {"cluster", c}, {"regions", list}};
  const json security = cluster_security();
  for (const auto& name : regions_) {
    node_options o;
    o.region = name;
    o.log_level = log_level;
    o.manifest_sections = json{{"cluster", c}, {"regions", list}, {"security", security}};
    nodes_.push_back(cluster_node(std::move(o)));
  }
}

cluster_process cluster_process::with_nodes(std::vector<node_spec> nodes, json cluster) {
  cluster_process out;
  json list = json::array();
  for (const auto& n : nodes) {
    out.regions_.push_back(n.region);
    out.node_names_.push_back(n.node);
    out.http_ports_.push_back(free_loopback_port());
    list.push_back(json{{"name", n.region},
                        {"node", n.node},
                        {"http", {{"host", "127.0.0.1"}, {"port", out.http_ports_.back()}}},
                        {"cluster", {{"host", "127.0.0.1"}, {"port", free_loopback_port()}}},
                        {"io_threads", 1},
                        {"executor_threads", 2}});
  }
  json c{{"name", "it-cluster"},  {"heartbeat_ms", 100},     {"suspect_after_ms", 400},
         {"down_after_ms", 1000}, {"reconnect_base_ms", 50}, {"reconnect_cap_ms", 500}};
  c.update(cluster);
  out.manifest_ = json{{"version", 1}, {"cluster", c}, {"regions", list}};
  const json security = cluster_security();
  for (const auto& n : nodes) {
    node_options o;
    o.region = n.node;
    o.manifest_sections = json{{"cluster", c}, {"regions", list}, {"security", security}};
    out.nodes_.push_back(cluster_node(std::move(o)));
  }
  return out;
}

bool cluster_process::every_node_sees_every_region_up() {
  for (std::size_t i = 0; i < size(); ++i) {
    http_client cl{http_port(i), std::chrono::seconds(2)};
    auto r = cl.request("GET", "/v3/cluster");
    if (!r || r->status != 200)
      return false;
    auto doc = r->json();
    for (const auto& reg : doc["regions"])
      if (reg["state"] != "up")
        return false;
  }
  return true;
}

} // namespace nzl::test
