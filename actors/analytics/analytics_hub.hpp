#pragma once

#include "actors/actor_probe.hpp"
#include "analytics/alert_rules.hpp"
#include "analytics/cost_model.hpp"
#include "analytics/prometheus.hpp"
#include "analytics/sample.hpp"
#include "net/analytics_service.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nzl::net {
class ws_service;
namespace outbound {
class http_client;
} // namespace outbound
} // namespace nzl::net

namespace nzl::cluster {
class peer_messaging;
} // namespace nzl::cluster

namespace nzl::actors::analytics {

/// Where an alert event goes besides the log.
struct alert_sinks {
  net::ws_service* channels = nullptr; ///< publishes to the `alerts` channel (null: none)
  std::string webhook_url;             ///< POSTed, Standard Webhooks signed (empty: none)
  std::shared_ptr<net::outbound::http_client> client; ///< for the webhook (egress-checked)
  std::string secret;                                 ///< the node's webhook secret
  std::uint32_t timeout_ms = 5'000;
};

struct analytics_options {
  std::string node;                               ///< region / node name (reports, scope)
  nzl::analytics::price_model prices;             ///< manifest `analytics.prices`
  std::vector<nzl::analytics::alert_rule> alerts; ///< manifest `analytics.alerts`
  alert_sinks sinks;
  /// Regions the cluster sees down (region_down rules, peer gauges). Called
  /// on the analytics thread; must be thread-safe and quick. Null: none.
  std::function<std::vector<std::string>()> regions_down;
  /// Extra /metrics families (queue depths, peer states). Called on the
  /// analytics thread; must be thread-safe. Null: none.
  std::function<std::vector<nzl::analytics::extra_metric>()> extra_metrics;
  /// Bytes the data directory holds (storage costs). Null: 0.
  std::function<std::uint64_t()> stored_bytes;
  std::int64_t drain_interval_ms = 100;   ///< how often the recorder is drained
  std::int64_t alert_interval_ms = 1'000; ///< how often alert rules are evaluated
  /// How often the `analytics` channel gets a live snapshot (only while it
  /// has subscribers on this node).
  std::int64_t live_interval_ms = 2'000;
  std::size_t recent_events = 200; ///< alert events kept for GET /v3/analytics/alerts
  /// The cluster's peer messages (null: a single node). With it, the hub
  /// answers other nodes' `analytics.series` questions and
  /// `scope=cluster` gathers every node's series and merges them here. Must
  /// outlive the hub's start..stop; the hub registers its handler in start.
  nzl::cluster::peer_messaging* peers = nullptr;
  /// How long `scope=cluster` waits for the other nodes.
  std::int64_t cluster_timeout_ms = 2'000;
  /// Unix milliseconds; injected by tests. Null: the system clock.
  std::function<std::int64_t()> now_ms;
};

/// The node's analytics (issue 11): the hot-path recorder and name tables,
/// plus one actor (in a one-thread actor system of its own, so that
/// millisecond-long reports never delay task actors) that owns the
/// aggregator and the alert engine. The actor drains the recorder every
/// `drain_interval_ms`, evaluates alert rules every `alert_interval_ms` and
/// answers the read endpoints; it is the only owner of the aggregator, so no
/// lock guards it. What a crash or restart loses: everything (analytics are
/// in memory, see docs/analytics.md). Thread-safe.
class analytics_hub final : public net::analytics_service {
public:
  explicit analytics_hub(analytics_options options);
  ~analytics_hub() override;
  analytics_hub(const analytics_hub&) = delete;
  analytics_hub& operator=(const analytics_hub&) = delete;

  /// Spawns the actor; until then (and after stop) `view` answers
  /// `unavailable` and `record` only queues.
  void start();

  /// Stops the actor; idempotent. Calls `view` in flight answer `unavailable`.
  void stop();

  void record(const net::measurement& m) noexcept override;
  void view(view_kind kind, std::string query, answer_handler done) override;

  /// Probes the analytics actor's mailbox: `done` gets one row,
  /// "analytics", once the actor ran the probe on its own thread (its wait
  /// then measured), or at once with no wait when the hub is not running.
  /// Never blocks.
  void probe_actors(probe_done done);

  /// Samples dropped by the recorder so far.
  [[nodiscard]] std::uint64_t dropped() const noexcept;

  struct impl;

private:
  // GET /v3/analytics?scope=cluster: this node's series merged with every
  // peer's (peer_messaging::gather).
  void cluster_summary(std::int64_t window, unsigned group,
                       std::optional<nzl::analytics::sample_kind> kind, answer_handler done);

  std::unique_ptr<impl> impl_;
};

/// The dashboard page (web/dashboard.html, compiled in).
[[nodiscard]] std::string_view dashboard_html() noexcept;

} // namespace nzl::actors::analytics
