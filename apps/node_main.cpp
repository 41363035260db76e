// noizylab-node: one region's node. Start-up order: parse flags, load and
// validate the manifest (exit 2 with one message naming the field), start
// the actor runtime, then the HTTP server. Shutdown on SIGINT/SIGTERM is a
// protocol: /ready turns 503 and the listener closes, requests in flight
// finish (up to the manifest's shutdown deadline), then the server and the
// actors stop and the process exits 0.
#include "actors/analytics/manifest_options.hpp"
#include "actors/analytics/queue_metrics.hpp"
#include "actors/cluster/manifest_options.hpp"
#include "actors/node_runtime.hpp"
#include "actors/operator/operator_server.hpp"
#include "actors/ws/channel_registry.hpp"
#include "actors/ws/cluster_channels.hpp"
#include "apps/node_handlers.hpp"
#include "apps/node_plugins.hpp"
#include "apps/operator/node_operator.hpp"
#include "config/manifest.hpp"
#include "core/log.hpp"
#include "net/api.hpp"
#include "net/gateway.hpp"
#include "net/http_server.hpp"
#include "net/outbound/egress.hpp"
#include "net/outbound/http_client.hpp"
#include "net/outbound/webhook_signature.hpp"
#include "net/ws/hub.hpp"
#include "net/ws/token_store.hpp"
#include "plugins/handler_registry.hpp"
#include "security/aes_gcm.hpp"
#include "security/geo.hpp"
#include "security/sealed_file.hpp"

#include <boost/program_options.hpp>

#include <csignal>
#include <cstdio>
#include <cstring>
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
  std::string node;
  std::string data_dir;
  std::string log_level = "info";
  std::string create_node_key;
  bool list_regions = false;
  bool print_webhook_secret = false;
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
      "the manifest region this node serves (a region with one node, or a node's name)")(
      "node,n", po::value(&out.node)->value_name("NAME"),
      "the manifest node (regions[].node) this process runs; needed when its region has "
      "several nodes")("data-dir,d", po::value(&out.data_dir)->value_name("DIR"),
                       "data directory (default: var/<region>)")(
      "log-level,l", po::value(&out.log_level)->value_name("LEVEL"),
      "debug, info, warn, error or off (default: info)")(
      "list-regions", "validate the manifest, print one 'region host:port' line per region, exit")(
      "create-node-key", po::value(&out.create_node_key)->value_name("FILE"),
      "create a node key file (mode 0600) for secrets at rest, and exit")(
      "print-webhook-secret",
      "print the node's webhook signing secret (sealed in the data directory; needs the node "
      "key) and exit")("version", "print the version and exit");
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
  out.print_webhook_secret = vm.count("print-webhook-secret") > 0;
  if (!out.create_node_key.empty())
    return -1;
  if (out.manifest.empty() || (out.region.empty() && out.node.empty() && !out.list_regions)) {
    std::cerr << "noizylab-node: --manifest and --region are required (see --help)\n";
    return exit_usage;
  }
  if (out.data_dir.empty())
    out.data_dir = "var/" + (out.node.empty() ? out.region : out.node);
  return -1;
}

// The webhook signing secret lives in the data directory, sealed under the
// node key like every secret at rest (security/sealed_file.hpp), so that it
// is never in the manifest, a command line or a log, nor readable from a
// copy of the data directory alone; `--print-webhook-secret` shows it to the
// operator who configures receivers.
constexpr std::string_view webhook_secret_file = "webhook-secret";
constexpr std::string_view webhook_secret_purpose = "nzl-webhook-secret";

nzl::result<std::string> load_or_create_secret(const std::filesystem::path& dir,
                                               const nzl::security::node_key& key) {
  auto found = nzl::security::load_or_create_sealed_secret(
      dir / webhook_secret_file, key, webhook_secret_purpose,
      [] { return nzl::net::outbound::webhook::generate_secret(); },
      [](std::string_view s) { return nzl::net::outbound::webhook::valid_secret(std::string{s}); });
  if (!found)
    return std::move(found).err();
  if (found->origin == nzl::security::sealed_file_origin::sealed)
    nzl::log::emit(nzl::log::level::info, "webhook_secret_sealed", R"("file":{})",
                   nzl::log::quote((dir / webhook_secret_file).string()));
  if (!nzl::net::outbound::webhook::valid_secret(found->secret))
    return nzl::fail(nzl::errc::invalid_field,
                     (dir / webhook_secret_file).string() + " does not hold a whsec_ secret");
  return std::move(found->secret);
}

nzl::result<nzl::actors::webhook_config> make_webhook_config(const nzl::config::manifest& m,
                                                             const std::filesystem::path& dir,
                                                             const nzl::security::node_key& key) {
  nzl::net::outbound::http_client_options opts;
  opts.egress.allow_loopback = m.egress.allow_loopback;
  opts.egress.allow_private = m.egress.allow_private;
  opts.egress.allow_link_local = m.egress.allow_link_local;
  opts.egress.allow_cidrs = m.egress.allow_cidrs;
  opts.egress.deny_cidrs = m.egress.deny_cidrs;
  opts.ca_file = m.webhooks.ca_file;
  if (auto rules = nzl::net::outbound::compile(opts.egress); !rules)
    return nzl::fail(nzl::errc::invalid_field, "manifest: /egress: " + rules.err().detail);
  auto secret = load_or_create_secret(dir, key);
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

// Removes a secret from the environment after overwriting its text:
// unsetenv alone leaves the bytes the process started with readable in
// /proc/<pid>/environ for as long as it runs.
void wipe_env(const char* name) {
  if (char* value = std::getenv(name))
    ::explicit_bzero(value, std::strlen(value));
  ::unsetenv(name);
}

// The node key that seals secrets at rest: NZL_NODE_KEY (the key as text),
// else the file named by NZL_NODE_KEY_FILE or the manifest.
nzl::result<nzl::security::node_key> load_node_key(const nzl::config::manifest& m) {
  std::string file = m.security.node_key_file;
  if (const char* env = std::getenv("NZL_NODE_KEY_FILE"); env && *env)
    file = env;
  if (file.empty() && !std::getenv("NZL_NODE_KEY"))
    return nzl::fail(nzl::errc::invalid_field,
                     "no node key: the node seals API signing secrets with it. Set NZL_NODE_KEY "
                     "(64 hex characters), NZL_NODE_KEY_FILE or security.node_key_file in the "
                     "manifest; create a key file with: noizylab-node --create-node-key FILE");
  auto key = nzl::security::load_node_key(file, "NZL_NODE_KEY");
  wipe_env("NZL_NODE_KEY");
  return key;
}

std::vector<nzl::security::rate_tier> rate_tiers_of(const nzl::config::manifest& m) {
  std::vector<nzl::security::rate_tier> tiers;
  for (const auto& t : m.security.tiers)
    tiers.push_back(nzl::security::rate_tier{t.name, static_cast<std::int64_t>(t.quota),
                                             static_cast<std::int64_t>(t.window_s)});
  return tiers;
}

nzl::result<nzl::net::gateway_options> make_gateway_options(const nzl::config::manifest& m) {
  const auto& sec = m.security;
  nzl::net::gateway_options g;
  g.require_keys = sec.require_keys;
  g.admin_signature_required = sec.admin_signature_required;
  g.signature_window_s = sec.signature_window_s;
  g.anonymous_tier = sec.anonymous_tier;
  g.tiers = rate_tiers_of(m);
  nzl::net::gateway_rule_texts texts{sec.trusted_proxies, sec.ip_allow, sec.ip_deny,
                                     sec.country_allow, sec.country_deny};
  if (auto ok = nzl::net::parse_gateway_rules(texts, g); !ok)
    return nzl::fail(nzl::errc::invalid_field, "manifest: " + ok.err().detail);
  if (!sec.geoip_database.empty()) {
    auto db = nzl::security::geo_db::open(sec.geoip_database);
    if (!db)
      return nzl::fail(nzl::errc::invalid_field,
                       "manifest: security.geoip_database: " + db.err().detail);
    g.geo = std::make_shared<nzl::security::geo_db>(std::move(*db));
  }
  return g;
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
  if (!f.create_node_key.empty()) {
    auto key = nzl::security::create_node_key_file(f.create_node_key);
    if (!key) {
      std::cerr << "noizylab-node: --create-node-key: " << key.err().detail << '\n';
      return 1;
    }
    std::cout << "created node key " << f.create_node_key << " (mode 0600)\n";
    return 0;
  }

  auto manifest = nzl::config::load_manifest(f.manifest);
  if (!manifest) {
    std::cerr << "noizylab-node: " << manifest.err().detail << '\n';
    return exit_usage;
  }
  if (f.print_webhook_secret) {
    auto key = load_node_key(*manifest);
    if (!key) {
      std::cerr << "noizylab-node: " << key.err().detail << '\n';
      return exit_usage;
    }
    auto secret = nzl::security::read_sealed_secret(
        std::filesystem::path{f.data_dir} / webhook_secret_file, *key, webhook_secret_purpose);
    if (!secret) {
      std::cerr << "noizylab-node: " << secret.err().detail << '\n';
      return 1;
    }
    std::cout << *secret << '\n';
    return 0;
  }
  if (f.list_regions) {
    for (const auto& r : manifest->regions)
      std::cout << r.name << ' ' << r.http.host << ':' << r.http.port << '\n';
    return 0;
  }
  // Issue 5: several nodes per region; --node picks one (--region alone
  // still works for a region with one node).
  auto selected = nzl::actors::cluster::select_node(*manifest, f.node, f.region);
  if (!selected) {
    std::cerr << "noizylab-node: " << selected.err().detail << '\n';
    return exit_usage;
  }
  const auto* region = *selected;
  // Issue 10: an operator endpoint off loopback needs cluster TLS.
  if (region->operator_endpoint && !manifest->cluster.tls.enabled() &&
      !nzl::actors::operator_shell::is_loopback_host(region->operator_endpoint->host)) {
    std::cerr
        << "noizylab-node: regions[].operator: the operator endpoint on "
        << region->operator_endpoint->host
        << " needs cluster TLS (cluster.tls); without it only a loopback address is allowed\n";
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
  if (auto ok = nzl::apps::register_builtin_handlers(handlers, *manifest); !ok) {
    std::cerr << "noizylab-node: " << ok.err().detail << '\n';
    return exit_usage;
  }
  // External plugins from the manifest's directories; a refused plugin is
  // logged and the node goes on.
  nzl::plugins::plugin_host_options plugin_opts;
  for (const auto& dir : manifest->plugins.directories)
    plugin_opts.directories.emplace_back(dir);
  auto plugin_host = std::make_shared<nzl::plugins::plugin_host>(handlers, plugin_opts);
  (void)plugin_host->reload();

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
  auto node_key = load_node_key(*manifest);
  if (!node_key) {
    std::cerr << "noizylab-node: " << node_key.err().detail << '\n';
    return exit_usage;
  }
  if (manifest->webhooks.enabled) {
    auto webhooks = make_webhook_config(*manifest, f.data_dir, *node_key);
    if (!webhooks) {
      std::cerr << "noizylab-node: " << webhooks.err().detail << '\n';
      return exit_usage;
    }
    rt.webhooks = std::move(*webhooks);
  }
  auto gateway_options = make_gateway_options(*manifest);
  if (!gateway_options) {
    std::cerr << "noizylab-node: " << gateway_options.err().detail << '\n';
    return exit_usage;
  }
  nzl::actors::node_runtime runtime{rt, handlers};
  if (auto started = runtime.start(); !started) {
    std::cerr << "noizylab-node: " << started.err().detail << '\n';
    return 1;
  }
  nzl::actors::security_store_options sec_opts;
  sec_opts.signature_window_s = manifest->security.signature_window_s;
  sec_opts.max_nonces = static_cast<std::size_t>(manifest->security.max_nonces);
  sec_opts.audit_retention_days = manifest->security.audit_retention_days;
  auto security = runtime.open_security(std::move(*node_key), sec_opts);
  if (!security) {
    std::cerr << "noizylab-node: " << security.err().detail << '\n';
    runtime.stop();
    return 1;
  }
  // A first key for a new node (scripts/run, tests): given once through the
  // environment, stored only as its hash, then removed from the environment.
  // NZL_BOOTSTRAP_ADMIN_SIGNING_SECRET optionally gives it a signing secret
  // (needed for admin calls under security.admin_signature_required).
  if (const char* bootstrap = std::getenv("NZL_BOOTSTRAP_ADMIN_KEY"); bootstrap && *bootstrap) {
    const char* secret = std::getenv("NZL_BOOTSTRAP_ADMIN_SIGNING_SECRET");
    auto ok = (*security)->ensure_admin_key(bootstrap, "bootstrap-admin", secret ? secret : "");
    wipe_env("NZL_BOOTSTRAP_ADMIN_KEY");
    wipe_env("NZL_BOOTSTRAP_ADMIN_SIGNING_SECRET");
    if (!ok) {
      std::cerr << "noizylab-node: NZL_BOOTSTRAP_ADMIN_KEY: " << ok.err().detail << '\n';
      (*security)->close();
      runtime.stop();
      return exit_usage;
    }
  }
  nzl::net::gateway gate{std::move(*gateway_options), **security};

  nzl::net::api_options api_opts;
  api_opts.max_batch_tasks = region->limits.max_batch_tasks;
  api_opts.max_json_depth = region->limits.max_json_depth;
  api_opts.task_timeout_ms = region->limits.task_timeout_ms;
  api_opts.version = NZL_VERSION;
  nzl::net::api_services services;
  services.gate = &gate;
  services.security = security->get();
  nzl::apps::node_plugins plugin_service{plugin_host};
  services.plugins = &plugin_service;
  // Issue 5: with more than one region, every task goes through the cluster
  // (routing by country, forwarding over the CAF link, failover).
  std::unique_ptr<nzl::actors::cluster::cluster_service> cluster;
  if (manifest->regions.size() > 1) {
    auto cluster_opts = nzl::actors::cluster::options_from_manifest(*manifest, *region, handlers);
    if (cluster_opts) {
      cluster_opts->queue_depth = [&runtime] {
        return runtime.executor_queue_depth();
      };
      cluster = std::make_unique<nzl::actors::cluster::cluster_service>(std::move(*cluster_opts),
                                                                        runtime);
    }
    auto cluster_port = cluster ? cluster->start() : nzl::result<std::uint16_t>{cluster_opts.err()};
    if (!cluster_port) {
      std::cerr << "noizylab-node: " << cluster_port.err().detail << '\n';
      (*security)->close();
      runtime.stop();
      // A manifest the cluster cannot use (a missing TLS file) is a usage
      // error like any other manifest error; a port in use is not.
      return cluster_port.err().code == nzl::errc::invalid_field ? exit_usage : 1;
    }
  }
  // Keys created on any node work on every node (docs/security.md).
  if (cluster)
    (*security)->replicate_over(*cluster);
  nzl::net::task_service& tasks =
      cluster ? static_cast<nzl::net::task_service&>(*cluster) : runtime;
  // Issue 6: WebSocket sessions (GET /v3/ws), their tokens and channels.
  nzl::actors::ws::channel_registry ws_channels;
  // Issue 6: channels span the cluster (one sequencer node per channel,
  // docs/websocket.md); a single node keeps the local path.
  std::unique_ptr<nzl::actors::ws::cluster_channels> ws_relay;
  if (cluster) {
    ws_relay = std::make_unique<nzl::actors::ws::cluster_channels>(*cluster, ws_channels);
    ws_relay->attach();
    ws_channels.set_relay(ws_relay.get());
  }
  nzl::net::ws::token_store ws_tokens{{}};
  services.ws_tokens = &ws_tokens;
  // Issue 11: measuring, /v3/analytics, /metrics, /dashboard and alerts.
  auto analytics_opts = nzl::actors::analytics::options_from_manifest(
      *manifest, region->name, rt.webhooks, &ws_channels, cluster.get(), f.data_dir);
  if (!analytics_opts) {
    std::cerr << "noizylab-node: " << analytics_opts.err().detail << '\n';
    if (cluster)
      cluster->stop();
    (*security)->close();
    runtime.stop();
    return exit_usage;
  }
  // Issue 11: scope=cluster gathers every node's series over the cluster links.
  analytics_opts->peers = cluster.get();
  // Issue 11: this node's queue depths in /metrics, beside the cluster's.
  analytics_opts->extra_metrics = [&runtime,
                                   cluster_extras = std::move(analytics_opts->extra_metrics)] {
    auto out = cluster_extras ? cluster_extras() : std::vector<nzl::analytics::extra_metric>{};
    nzl::actors::analytics::append_queue_metrics(runtime, out);
    return out;
  };
  nzl::actors::analytics::analytics_hub analytics{std::move(*analytics_opts)};
  if (manifest->analytics.enabled) {
    analytics.start();
    services.analytics = &analytics;
    runtime.set_analytics(&analytics); // durable tasks, measured by their queues
  }
  nzl::net::api api{tasks, api_opts, services};
  nzl::net::ws::ws_options ws_opts;
  ws_opts.ping_interval_ms = manifest->websocket.ping_interval_ms;
  ws_opts.max_message_bytes = manifest->websocket.max_message_bytes;
  ws_opts.max_queued = manifest->websocket.max_queued;
  ws_opts.resume_buffer = manifest->websocket.resume_buffer;
  ws_opts.resume_window_ms = manifest->websocket.resume_window_ms;
  ws_opts.max_tasks = manifest->websocket.max_tasks;
  ws_opts.max_subscriptions = manifest->websocket.max_subscriptions;
  ws_opts.max_json_depth = region->limits.max_json_depth;
  nzl::net::ws::ws_hub ws_hub{
      ws_opts, {tasks, ws_channels, ws_tokens, api, &gate, security->get(), services.analytics}};

  nzl::net::server_options so;
  so.host = region->http.host;
  so.port = region->http.port;
  so.io_threads = region->io_threads;
  so.max_body_bytes = region->limits.max_body_bytes;
  so.max_connections = region->limits.max_connections;
  so.read_timeout_ms = region->limits.read_timeout_ms;
  so.idle_timeout_ms = region->limits.idle_timeout_ms;
  so.tls.cert_file = region->tls.cert_file;
  so.tls.key_file = region->tls.key_file;
  so.websocket = &ws_hub;
  nzl::net::http_server server{so, api};

  auto port = server.start();
  if (!port) {
    std::cerr << "noizylab-node: " << port.err().detail << '\n';
    (*security)->close();
    runtime.stop();
    return 1;
  }
  nzl::log::emit(nzl::log::level::info, "listening",
                 R"("region":{},"http":"{}:{}","tls":{},"data_dir":{},"version":"{}","pid":{})",
                 nzl::log::quote(region->name), region->http.host, *port,
                 region->tls.enabled() ? "true" : "false", nzl::log::quote(f.data_dir), NZL_VERSION,
                 getpid());

  // Issue 10: the operator shell's endpoint (docs/shell.md).
  std::unique_ptr<nzl::actors::operator_shell::operator_server> operator_server;
  if (region->operator_endpoint) {
    nzl::actors::operator_shell::server_options oo;
    oo.host = region->operator_endpoint->host;
    oo.port = region->operator_endpoint->port;
    oo.cert_file = manifest->cluster.tls.cert_file;
    oo.key_file = manifest->cluster.tls.key_file;
    oo.ca_file = manifest->cluster.tls.ca_file;
    nzl::apps::node_operator_deps od;
    od.manifest_path = f.manifest;
    od.region = region->name;
    od.version = NZL_VERSION;
    od.tasks = &tasks;
    od.cluster = cluster.get();
    od.security = security->get();
    od.ws = &ws_hub;
    od.analytics = manifest->analytics.enabled;
    od.executor_threads = region->executor_threads;
    od.http_port = *port;
    od.runtime = &runtime;
    // `actors` probes: the runtime's wait at most 2 s per actor, well under
    // the shell's default command timeout (10 s).
    od.probes.push_back([&runtime](nzl::actors::probe_done done) {
      runtime.probe_actors(std::chrono::seconds(2), std::move(done));
    });
    if (manifest->analytics.enabled)
      od.probes.push_back(
          [&analytics](nzl::actors::probe_done done) { analytics.probe_actors(std::move(done)); });
    if (cluster)
      od.probes.push_back(
          [c = cluster.get()](nzl::actors::probe_done done) { c->probe_actors(std::move(done)); });
    od.apply_live = [&gate](const nzl::config::manifest& m) {
      gate.reload_tiers(rate_tiers_of(m));
      return std::vector<std::string>{"security.rate_limit_tiers"};
    };
    auto* mailbox_of = &operator_server;
    od.operator_mailbox = [mailbox_of] {
      return *mailbox_of ? (*mailbox_of)->mailbox_size() : std::size_t{0};
    };
    operator_server = std::make_unique<nzl::actors::operator_shell::operator_server>(
        std::move(oo), nzl::apps::make_node_operator_hooks(std::move(od)));
    if (auto op_port = operator_server->start(); !op_port) {
      std::cerr << "noizylab-node: " << op_port.err().detail << '\n';
      server.stop();
      analytics.stop();
      if (cluster)
        cluster->stop();
      (*security)->close();
      runtime.stop();
      return exit_usage;
    }
  }

  int sig = wait_for_signal();
  nzl::log::emit(nzl::log::level::info, "draining", R"("signal":{},"deadline_ms":{})", sig,
                 region->limits.shutdown_deadline_ms);
  runtime.begin_drain();
  server.drain();
  bool clean = server.wait_drained(std::chrono::milliseconds(region->limits.shutdown_deadline_ms));
  server.stop();
  if (operator_server)
    operator_server->stop();
  analytics.stop();
  if (cluster)
    cluster->stop();
  (*security)->close();
  runtime.stop();
  nzl::log::emit(nzl::log::level::info, "stopped", R"("clean":{},"storage_commits":{})",
                 clean ? "true" : "false", runtime.storage_commits());
  return 0;
}
