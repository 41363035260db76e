// noizylab-node: one region's node. Start-up order: parse flags, load and
// validate the manifest (exit 2 with one message naming the field), start
// the actor runtime, then the HTTP server. Shutdown on SIGINT/SIGTERM is a
// protocol: /ready turns 503 and the listener closes, requests in flight
// finish (up to the manifest's shutdown deadline), then the server and the
// actors stop and the process exits 0.
#include "actors/node_runtime.hpp"
#include "config/manifest.hpp"
#include "core/log.hpp"
#include "net/api.hpp"
#include "net/http_server.hpp"
#include "net/outbound/egress.hpp"
#include "net/outbound/http_client.hpp"
#include "net/outbound/webhook_signature.hpp"
#include "plugins/handler_registry.hpp"

#include <boost/program_options.hpp>

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <pthread.h>
#include <unistd.h>

#ifndef NZL_VERSION
#define NZL_VERSION "0.0.0"
#endif

namespace po = boost::program_options;

namespace {

constexpr int exit_usage = 2;

struct flags {
  std::string manifest;
  std::string region;
  std::string data_dir;
  std::string log_level = "info";
  bool list_regions = false;
};

// Returns -1 to go on, or an exit code.
int parse_flags(int argc, char** argv, flags& out) {
  po::options_description desc{"Usage: noizylab-node --manifest FILE --region NAME [options]\n\n"
                               "Runs one region's node of a NoizyLab Cloud Agent cluster.\n\n"
                               "Options"};
  desc.add_options()("help,h", "print this help and exit")(
      "manifest,m", po::value(&out.manifest)->value_name("FILE"),
      "cluster manifest (JSON, validated against cluster-config/manifest.schema.json)")(
      "region,r", po::value(&out.region)->value_name("NAME"),
      "the manifest region this node serves")("data-dir,d",
                                              po::value(&out.data_dir)->value_name("DIR"),
                                              "data directory (default: var/<region>)")(
      "log-level,l", po::value(&out.log_level)->value_name("LEVEL"),
      "debug, info, warn, error or off (default: info)")(
      "list-regions", "validate the manifest, print one 'region host:port' line per region, exit")(
      "version", "print the version and exit");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "noizylab-node: " << e.what() << "\n(see --help)\n";
    return exit_usage;
  }
  if (vm.count("help")) {
    std::cout << desc << '\n';
    return 0;
  }
  if (vm.count("version")) {
    std::cout << "noizylab-node " << NZL_VERSION << '\n';
    return 0;
  }
  out.list_regions = vm.count("list-regions") > 0;
  if (out.manifest.empty() || (out.region.empty() && !out.list_regions)) {
    std::cerr << "noizylab-node: --manifest and --region are required (see --help)\n";
    return exit_usage;
  }
  if (out.data_dir.empty())
    out.data_dir = "var/" + out.region;
  return -1;
}

// The webhook signing secret lives in the data directory (created on first
// start, mode 0600), so that it is never in the manifest, a command line or
// a log; receivers get it from there once.
nzl::result<std::string> load_or_create_secret(const std::filesystem::path& dir) {
  auto path = dir / "webhook-secret";
  if (std::ifstream in{path}; in) {
    std::string secret;
    std::getline(in, secret);
    if (!nzl::net::outbound::webhook::valid_secret(secret))
      return nzl::fail(nzl::errc::invalid_field, path.string() + " does not hold a whsec_ secret");
    return secret;
  }
  auto secret = nzl::net::outbound::webhook::generate_secret();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0)
    return nzl::fail(nzl::errc::invalid_field, "cannot create " + path.string());
  auto line = secret + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok)
    return nzl::fail(nzl::errc::invalid_field, "cannot write " + path.string());
  return secret;
}

nzl::result<nzl::actors::webhook_config> make_webhook_config(const nzl::config::manifest& m,
                                                             const std::filesystem::path& dir) {
  nzl::net::outbound::http_client_options opts;
  opts.egress.allow_loopback = m.egress.allow_loopback;
  opts.egress.allow_private = m.egress.allow_private;
  opts.egress.allow_link_local = m.egress.allow_link_local;
  opts.egress.allow_cidrs = m.egress.allow_cidrs;
  opts.egress.deny_cidrs = m.egress.deny_cidrs;
  opts.ca_file = m.webhooks.ca_file;
  if (auto rules = nzl::net::outbound::compile(opts.egress); !rules)
    return nzl::fail(nzl::errc::invalid_field, "manifest: /egress: " + rules.err().detail);
  auto secret = load_or_create_secret(dir);
  if (!secret)
    return std::move(secret).err();
  nzl::actors::webhook_config cfg;
  cfg.client = std::make_shared<nzl::net::outbound::http_client>(opts);
  cfg.secret = std::move(*secret);
  cfg.timeout_ms = m.webhooks.timeout_ms;
  cfg.max_attempts = m.webhooks.max_attempts;
  cfg.retry_base_ms = m.webhooks.retry_base_ms;
  return cfg;
}

int wait_for_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

} // namespace

int main(int argc, char** argv) {
  // Block the stop signals in every thread (io, CAF) before any starts, so
  // that only the main thread's sigwait sees them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  flags f;
  if (int code = parse_flags(argc, argv, f); code >= 0)
    return code;
  nzl::log::level lvl;
  if (!nzl::log::parse_level(f.log_level, lvl)) {
    std::cerr << "noizylab-node: --log-level must be debug, info, warn, error or off\n";
    return exit_usage;
  }
  nzl::log::set_level(lvl);

  auto manifest = nzl::config::load_manifest(f.manifest);
  if (!manifest) {
    std::cerr << "noizylab-node: " << manifest.err().detail << '\n';
    return exit_usage;
  }
  if (f.list_regions) {
    for (const auto& r : manifest->regions)
      std::cout << r.name << ' ' << r.http.host << ':' << r.http.port << '\n';
    return 0;
  }
  const auto* region = manifest->find_region(f.region);
  if (!region) {
    std::string names;
    for (const auto& r : manifest->regions)
      names += (names.empty() ? "" : ", ") + r.name;
    std::cerr << "noizylab-node: --region: unknown region '" << f.region
              << "'; the manifest has: " << names << '\n';
    return exit_usage;
  }
  std::error_code ec;
  std::filesystem::create_directories(f.data_dir, ec);
  if (ec) {
    std::cerr << "noizylab-node: --data-dir: cannot create " << f.data_dir << ": " << ec.message()
              << '\n';
    return exit_usage;
  }

  auto handlers = std::make_shared<nzl::plugins::handler_registry>();
  nzl::plugins::add_builtin_handlers(*handlers);

  nzl::actors::runtime_options rt;
  rt.region = region->name;
  rt.executor_threads = region->executor_threads;
  rt.data_dir = f.data_dir;
  rt.sync_writes = manifest->queues.sync_writes;
  rt.queues.max_backlog = manifest->queues.max_backlog;
  rt.queues.default_max_retries = manifest->queues.max_retries;
  rt.queues.retry_base_ms = manifest->queues.retry_base_ms;
  rt.queues.retry_cap_ms = manifest->queues.retry_cap_ms;
  rt.queues.result_ttl_ms = manifest->queues.result_ttl_s * 1000;
  rt.queues.stuck_after_ms = manifest->queues.stuck_after_ms;
  rt.queues.concurrency = region->executor_threads;
  if (manifest->webhooks.enabled) {
    auto webhooks = make_webhook_config(*manifest, f.data_dir);
    if (!webhooks) {
      std::cerr << "noizylab-node: " << webhooks.err().detail << '\n';
      return exit_usage;
    }
    rt.webhooks = std::move(*webhooks);
  }
  nzl::actors::node_runtime runtime{rt, handlers};

  nzl::net::api_options api_opts;
  api_opts.max_batch_tasks = region->limits.max_batch_tasks;
  api_opts.max_json_depth = region->limits.max_json_depth;
  api_opts.task_timeout_ms = region->limits.task_timeout_ms;
  api_opts.version = NZL_VERSION;
  nzl::net::api api{runtime, api_opts};

  nzl::net::server_options so;
  so.host = region->http.host;
  so.port = region->http.port;
  so.io_threads = region->io_threads;
  so.max_body_bytes = region->limits.max_body_bytes;
  so.max_connections = region->limits.max_connections;
  so.read_timeout_ms = region->limits.read_timeout_ms;
  so.idle_timeout_ms = region->limits.idle_timeout_ms;
  nzl::net::http_server server{so, api};

  if (auto started = runtime.start(); !started) {
    std::cerr << "noizylab-node: " << started.err().detail << '\n';
    return 1;
  }
  auto port = server.start();
  if (!port) {
    std::cerr << "noizylab-node: " << port.err().detail << '\n';
    runtime.stop();
    return 1;
  }
  nzl::log::emit(nzl::log::level::info, "listening",
                 R"("region":{},"http":"{}:{}","data_dir":{},"version":"{}","pid":{})",
                 nzl::log::quote(region->name), region->http.host, *port,
                 nzl::log::quote(f.data_dir), NZL_VERSION, getpid());

  int sig = wait_for_signal();
  nzl::log::emit(nzl::log::level::info, "draining", R"("signal":{},"deadline_ms":{})", sig,
                 region->limits.shutdown_deadline_ms);
  runtime.begin_drain();
  server.drain();
  bool clean = server.wait_drained(std::chrono::milliseconds(region->limits.shutdown_deadline_ms));
  server.stop();
  runtime.stop();
  nzl::log::emit(nzl::log::level::info, "stopped", R"("clean":{},"storage_commits":{})",
                 clean ? "true" : "false", runtime.storage_commits());
  return 0;
}
