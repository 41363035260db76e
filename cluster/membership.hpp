#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::cluster {

using clock = std::chrono::steady_clock;
using time_point = clock::time_point;

/// A peer node as this node sees it. `incompatible` is a peer that answered
/// with another protocol version or cluster name: it is never routed to and
/// is not retried as if it were merely unreachable.
enum class peer_state : std::uint8_t { up, suspect, down, incompatible };

[[nodiscard]] std::string_view to_string(peer_state state) noexcept;

/// What a node reports about itself in every heartbeat.
struct load_report {
  std::uint32_t in_flight = 0;   ///< tasks this node is running or forwarding
  std::uint32_t queue_depth = 0; ///< tasks waiting for an executor
  double p95_ms = 0;             ///< recent p95 of task durations
  bool drained = false;          ///< an operator moved the region's traffic away
  std::string redirect;          ///< while drained: where its traffic should go (may be empty)
};

struct membership_options {
  /// Silence after which an `up` peer becomes `suspect` (still routed to
  /// only when nothing better exists: see region_serving).
  std::chrono::milliseconds suspect_after{1500};
  /// Silence after which a peer is `down` (a transport's down message makes
  /// it down at once).
  std::chrono::milliseconds down_after{3000};
};

struct peer_info {
  std::string node;
  std::string region;
  double weight = 1; ///< for weighted balancing, from the manifest
  peer_state state = peer_state::down;
  bool linked = false;     ///< a transport link exists (set by the link layer)
  time_point last_heard{}; ///< zero: never
  double rtt_ms = 0;       ///< smoothed round-trip time (EWMA, 1/4 new)
  load_report load;
  std::string detail; ///< why it is down or incompatible
};

/// A state change, for logs and tests.
struct transition {
  std::string node;
  peer_state from;
  peer_state to;
};

/// The membership state machine of one node: which peers are up, suspect,
/// down or incompatible, and therefore which regions can take work. The node
/// itself is always up (its `drained` flag is the operator's failover).
///
/// Rules: a heartbeat (or any answer) makes a peer `up`; `tick` turns an up
/// peer `suspect` after `suspect_after` of silence and a suspect one `down`
/// after `down_after`; `lost` (the transport saw the link die) makes it
/// `down` at once; `refused` makes it `incompatible` until it answers
/// compatibly again. A region is up while one of its nodes is up or
/// suspect, and serving while such a node is not drained.
///
/// A plain value: not thread-safe; one owner (the link actor) changes it and
/// publishes copies.
class membership {
public:
  membership(std::string self_node, std::string self_region, membership_options options = {});

  /// Adds a peer from the manifest (state `down` until it is heard).
  void add_peer(std::string node, std::string region, double weight = 1);

  /// A heartbeat or answer from `node` at `now`; `rtt` when measured.
  /// Unknown nodes are ignored (returns nullopt).
  std::optional<transition> heard(std::string_view node, time_point now, const load_report& load,
                                  std::optional<double> rtt_ms = std::nullopt);

  /// The transport lost the link to `node`.
  std::optional<transition> lost(std::string_view node, std::string reason);

  /// `node` refused us (or we it): another protocol or cluster.
  std::optional<transition> refused(std::string_view node, std::string reason);

  /// Marks whether a transport link to `node` exists.
  void set_linked(std::string_view node, bool linked);

  /// Applies the silence rules at `now`; returns the changes.
  std::vector<transition> tick(time_point now);

  /// This node's own load and drained flag.
  void set_self_load(const load_report& load) { self_load_ = load; }
  [[nodiscard]] const load_report& self_load() const noexcept { return self_load_; }

  [[nodiscard]] const std::string& self_node() const noexcept { return self_node_; }
  [[nodiscard]] const std::string& self_region() const noexcept { return self_region_; }
  [[nodiscard]] const std::vector<peer_info>& peers() const noexcept { return peers_; }
  [[nodiscard]] const peer_info* find(std::string_view node) const noexcept;

  /// True while one node of `region` (this node included) is up or suspect.
  [[nodiscard]] bool region_up(std::string_view region) const noexcept;

  /// True while `region` is up and one such node is not drained: tasks may
  /// be routed there.
  [[nodiscard]] bool region_serving(std::string_view region) const noexcept;

  /// The peers of `region` that may take work (up, else suspect, not
  /// drained); this node is not among them (see self_serves).
  [[nodiscard]] std::vector<const peer_info*> serving_peers(std::string_view region) const;

  /// True when this node itself takes work for its region (not drained).
  [[nodiscard]] bool self_serves() const noexcept { return !self_load_.drained; }

private:
  peer_info* find_mut(std::string_view node) noexcept;
  std::optional<transition> move(peer_info& p, peer_state to);

  std::string self_node_;
  std::string self_region_;
  membership_options options_;
  load_report self_load_;
  std::vector<peer_info> peers_;
};

} // namespace nzl::cluster
