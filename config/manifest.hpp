#pragma once

#include "core/result.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nzl::config {

struct endpoint {
  std::string host;
  std::uint16_t port = 0; ///< 0: let the kernel choose (tests)
};

/// Per-region limits; every boundary of the node reads its bound from here.
struct region_limits {
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_batch_tasks = 100;
  std::size_t max_connections = 1024;
  std::size_t max_json_depth = 64;
  std::uint32_t read_timeout_ms = 10'000;      ///< to receive a body once its head arrived
  std::uint32_t idle_timeout_ms = 30'000;      ///< to receive a head (also keep-alive idle time)
  std::uint32_t task_timeout_ms = 30'000;      ///< a synchronous task, unless it asks for less
  std::uint32_t shutdown_deadline_ms = 10'000; ///< for requests in flight at shutdown
};

/// HTTPS for a region's HTTP listener (manifest `regions[].tls`).
struct tls_config {
  std::string cert_file; ///< PEM certificate chain
  std::string key_file;  ///< PEM private key
  [[nodiscard]] bool enabled() const noexcept { return !cert_file.empty(); }
};

struct region_config {
  std::string name;
  endpoint http;
  tls_config tls;
  endpoint cluster; ///< where the region links to its peers (cluster issue)
  /// The node's name (`regions[].node`), unique in the manifest; default:
  /// `name`. Several entries may share a region, each one node of it.
  std::string node;
  /// The operator shell's endpoint (`regions[].operator`, issue 10); absent:
  /// no operator endpoint. Loopback only unless cluster TLS is configured.
  std::optional<endpoint> operator_endpoint;
  /// Regions to try, in order, when this one is down or drained (manifest
  /// `regions[].fallback`); empty: every other region in manifest order.
  std::vector<std::string> fallback;
  double weight = 1; ///< share of the region's tasks for weighted balancing
  unsigned io_threads = 2;
  unsigned executor_threads = 2;
  region_limits limits;
};

/// Durable queues (manifest `queues`), the same on every node.
struct queues_config {
  std::size_t max_backlog = 10'000;
  std::uint32_t max_retries = 3;
  std::int64_t retry_base_ms = 1'000;
  std::int64_t retry_cap_ms = 300'000;
  std::int64_t result_ttl_s = 86'400;
  std::int64_t stuck_after_ms = 60'000;
  bool sync_writes =
      true; ///< fdatasync each group commit; false loses acknowledged tasks on power loss
};

/// Outbound webhooks (manifest `webhooks`). The signing secret is per node,
/// kept in its data directory (see docs/operations.md), never in the manifest.
struct webhooks_config {
  bool enabled = false;
  std::uint32_t timeout_ms = 5'000;
  std::uint32_t max_attempts = 6;
  std::int64_t retry_base_ms = 1'000;
  std::string ca_file; ///< trusted CAs instead of the system store
};

/// Where outbound calls may go (manifest `egress`): deny private, loopback
/// and link-local addresses unless allowed.
struct egress_config {
  bool allow_loopback = false;
  bool allow_private = false;
  bool allow_link_local = false;
  std::vector<std::string> allow_cidrs;
  std::vector<std::string> deny_cidrs;
};

/// One rate-limit tier: `quota` requests (tasks) per `window_s` seconds.
struct rate_tier {
  std::string name;
  std::uint64_t quota = 0;
  std::uint32_t window_s = 60;
};

/// The gateway's layers (manifest `security`): API keys, signatures, IP and
/// country rules, rate limits, audit.
struct security_config {
  bool require_keys = true;
  bool admin_signature_required = false;
  std::uint32_t signature_window_s = 300;
  /// Signed-request nonces remembered at once, every key together (about
  /// 20-40 bytes each); beyond it fresh nonces get 503 until some expire.
  std::uint64_t max_nonces = 1'000'000;
  std::vector<std::string> trusted_proxies; ///< CIDRs whose X-Forwarded-For/CF-IPCountry count
  std::vector<std::string> ip_allow;
  std::vector<std::string> ip_deny;
  std::vector<std::string> country_allow;
  std::vector<std::string> country_deny;
  std::string geoip_database; ///< MaxMind-format file; empty: CF-IPCountry from trusted proxies
  /// Always holds "default" and the anonymous tier (defaults added when absent).
  std::vector<rate_tier> tiers;
  std::string anonymous_tier = "anonymous"; ///< per client IP, for requests without a key
  std::uint32_t audit_retention_days = 30;
  std::string node_key_file; ///< AES-256-GCM key of secrets at rest (or env NZL_NODE_KEY)

  [[nodiscard]] const rate_tier* find_tier(std::string_view name) const noexcept;
};

/// Plugin loading (manifest `plugins`).
struct plugins_config {
  std::vector<std::string> directories;
};

/// Per-handler bounds (manifest `handlers`).
struct handlers_config {
  std::size_t text_max_bytes = 1024 * 1024;
  std::size_t image_max_bytes = 20 * 1024 * 1024;
  std::uint64_t image_max_pixels = 40'000'000;
  std::size_t api_tester_max_endpoints = 50;
  std::size_t api_tester_max_concurrency = 16;
};

/// Cluster TLS between nodes (manifest `cluster.tls`): all three or none.
struct cluster_tls_config {
  std::string cert_file; ///< this node's PEM certificate
  std::string key_file;  ///< its PEM private key
  std::string ca_file;   ///< the cluster's private CA: peers must chain to it
  [[nodiscard]] bool enabled() const noexcept { return !cert_file.empty(); }
};

/// Links between nodes and routing (manifest `cluster`, issue 5).
struct cluster_config {
  std::uint32_t heartbeat_ms = 250;     ///< heartbeat interval
  std::uint32_t suspect_after_ms = 750; ///< silence before a peer is suspect
  std::uint32_t down_after_ms = 1500;   ///< silence before a peer is down
  std::uint32_t connect_timeout_ms = 1000;
  std::uint32_t reconnect_base_ms = 250; ///< first redial delay (doubles, jittered)
  std::uint32_t reconnect_cap_ms = 4000; ///< largest redial delay
  std::string balancing = "round_robin"; ///< round_robin, least_connections, weighted, latency
  std::string default_region;            ///< home of unknown countries (empty: first region)
  std::vector<std::pair<std::string, std::string>> countries; ///< ISO code -> home region
  cluster_tls_config tls;
};

/// WebSocket sessions (manifest `websocket`, issue 6; docs/websocket.md).
struct websocket_config {
  std::uint32_t ping_interval_ms = 20'000;
  std::size_t max_message_bytes = 64 * 1024;
  std::size_t max_queued = 256;
  std::size_t resume_buffer = 64;
  std::uint32_t resume_window_ms = 30'000;
  std::size_t max_tasks = 16;
  std::size_t max_subscriptions = 64;
};

/// Analytics (manifest `analytics`, issue 11; docs/analytics.md). Kept as
/// JSON: the node parses them with nzl_analytics (price_model::from_json,
/// alert_rules_from_json), which config/ does not depend on.
struct analytics_config {
  bool enabled = true;            ///< `analytics.enabled`
  std::string prices_json = "{}"; ///< `analytics.prices`
  std::string alerts_json = "[]"; ///< `analytics.alerts`
  std::string alert_webhook;      ///< empty: no webhook
};

/// A validated cluster manifest (cluster-config/manifest.schema.json).
struct manifest {
  std::string cluster_name;
  cluster_config cluster;
  std::vector<region_config> regions;
  queues_config queues;
  webhooks_config webhooks;
  egress_config egress;
  security_config security;
  plugins_config plugins;
  handlers_config handlers;
  websocket_config websocket;
  analytics_config analytics;

  [[nodiscard]] const region_config* find_region(std::string_view name) const noexcept;
  /// The entry of node `name`, or null.
  [[nodiscard]] const region_config* find_node(std::string_view name) const noexcept;
};

/// Validates `doc` against the manifest schema (compiled into the binary),
/// then checks what a schema cannot (unique region names, unique addresses).
/// The error's detail names the field (a JSON Pointer) and what is wrong.
[[nodiscard]] result<manifest> parse_manifest(const nlohmann::json& doc);

/// Reads, parses and validates the manifest file at `path`.
[[nodiscard]] result<manifest> load_manifest(const std::filesystem::path& path);

/// The manifest JSON Schema text, as compiled into the binary.
[[nodiscard]] std::string_view manifest_schema_text() noexcept;

} // namespace nzl::config
