#pragma once

#include "actors/actor_probe.hpp"
#include "cluster/balancer.hpp"
#include "cluster/cluster_control.hpp"
#include "cluster/peer_messaging.hpp"
#include "cluster/routing_table.hpp"
#include "net/task_service.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace nzl::actors::cluster {

/// The version of the wire contract between nodes. A peer that speaks
/// another one is refused with a message naming both (never a hang).
/// 2: peer messages and questions (broadcast, gather) added.
/// 3: a forwarded task reports its progress back and can be cancelled.
inline constexpr std::uint32_t protocol_version = 3;

struct cluster_peer {
  std::string node; ///< unique node name (default: the region's name)
  std::string region;
  std::string host;
  std::uint16_t port = 0;
  double weight = 1;
};

struct cluster_tls {
  std::string cert_file;
  std::string key_file;
  std::string ca_file;
  [[nodiscard]] bool enabled() const noexcept { return !cert_file.empty(); }
};

struct cluster_options {
  std::string cluster_name;
  std::string node;   ///< this node's name
  std::string region; ///< this node's region
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 0; ///< 0: the kernel picks (see cluster_service::port)
  std::vector<cluster_peer> peers;
  nzl::cluster::routing_table routing;
  nzl::cluster::balance_policy balancing = nzl::cluster::balance_policy::round_robin;
  std::chrono::milliseconds heartbeat{250};
  std::chrono::milliseconds suspect_after{750};
  std::chrono::milliseconds down_after{1500};
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds reconnect_base{250};
  std::chrono::milliseconds reconnect_cap{4000};
  cluster_tls tls; ///< all three files, or none (then links are plain TCP)
  /// True when a synchronous task may run twice (retried in the next region
  /// when its node dies before answering).
  std::function<bool(const task_request&)> idempotent;
  /// Tasks waiting for an executor on this node, for heartbeats and
  /// GET /v3/cluster (`queue_depth`); called on the link actor's thread, so
  /// it must be thread-safe and quick. Empty: reported as 0.
  std::function<std::uint32_t()> queue_depth;
};

/// The cluster as the HTTP layer sees it: a `net::task_service` that runs
/// each task in the best serving region (this node's runtime, or a peer over
/// the CAF link), plus the operations of `/v3/cluster`, plus node-to-node
/// messages for other modules (`nzl::cluster::peer_messaging`: WebSocket
/// channels, cluster-wide analytics). Thread-safe. Owns a second CAF actor
/// system (with the middleman, or caf::openssl for TLS), so the node
/// runtime's system stays as it was; CAF stays in the .cpp files.
class cluster_service final : public net::task_service,
                              public nzl::cluster::cluster_control,
                              public nzl::cluster::peer_messaging {
public:
  using json_handler = net::task_service::json_handler;

  /// `local` is this node's runtime; it must outlive the service.
  cluster_service(cluster_options options, net::task_service& local);
  ~cluster_service() override;
  cluster_service(const cluster_service&) = delete;
  cluster_service& operator=(const cluster_service&) = delete;

  /// Checks the TLS files, publishes this node's cluster actor and starts
  /// dialling peers (in the background, with backoff: peers may start
  /// later). Fails on a port in use or a half-configured TLS.
  [[nodiscard]] result<std::uint16_t> start();

  /// Unpublishes and stops the cluster actors; forwarded tasks still waiting
  /// are answered `unavailable`.
  void stop();

  /// The port the cluster listens on (after start).
  [[nodiscard]] std::uint16_t port() const noexcept;

  /// Every region and node: state, last heartbeat, RTT, load (GET /v3/cluster).
  [[nodiscard]] nlohmann::json status() const override;

  /// Probes the link actor's mailbox: `done` gets one row,
  /// "cluster_link", once the actor ran the probe on its own thread (its
  /// wait then measured), or with no wait when the actor is gone; no row
  /// before start and after stop. Never blocks.
  void probe_actors(probe_done done);

  /// Drains `from` (its traffic goes to `to`, or its fallbacks when empty);
  /// answers once the region's node took it.
  void failover(std::string from, std::string to, json_handler done) override;

  /// Undoes a failover of `region`.
  void failback(std::string region, json_handler done) override;

  // nzl::cluster::peer_messaging
  void on_message(std::string topic, message_handler handler) override;
  void on_question(std::string topic, question_handler handler) override;
  result<bool> send(std::string_view node, std::string_view topic, std::string payload) override;
  result<bool> broadcast(std::string_view topic, std::string payload) override;
  void gather(std::string_view topic, std::string question, std::chrono::milliseconds timeout,
              gather_handler done) override;
  [[nodiscard]] std::string self_node() const override;
  [[nodiscard]] std::vector<std::string> nodes() const override;
  [[nodiscard]] std::vector<std::string> live_nodes() const override;

  // net::task_service
  void run(task_request request, outcome_handler done) override;
  void run_batch(std::vector<task_request> requests, batch_handler done) override;
  void enqueue(task_request request, json_handler done) override;
  void get_task(std::string id, json_handler done) override;
  void cancel_task(std::string id, json_handler done) override;
  void retry_task(std::string id, json_handler done) override;
  void queue_stats(std::string name, json_handler done) override;
  void idempotency_begin(std::string key, std::string fingerprint,
                         idempotency_handler done) override;
  void idempotency_finish(std::string key, std::optional<net::http_response> response,
                          std::function<void()> done) override;
  [[nodiscard]] bool ready() const noexcept override;
  [[nodiscard]] std::string_view region() const noexcept override;

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace nzl::actors::cluster
