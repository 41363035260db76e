#pragma once

#include "cluster/peer_messaging.hpp"
#include "net/ws_service.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nzl::actors::ws {

/// WebSocket channels across the cluster (issue 6): the `net::channel_relay`
/// of a node in a cluster, over the peer messages of
/// nzl::cluster::peer_messaging.
///
/// Model: every channel that spans the cluster has one home node, its
/// sequencer: the rendezvous-hash choice among the live nodes
/// (nzl::cluster::channel_home), so every node that sees the same live set
/// agrees without talking. A publish on another node is sent to the home
/// (topic `ws.publish`); the home numbers it under the channel's lock,
/// delivers it to its own subscribers and broadcasts the numbered event
/// (topic `ws.event`) to every other live node, which delivers it with the
/// home's seq. Links keep order between two nodes, and the home sends a
/// channel's events in seq order, so every subscriber on every node sees the
/// same events in the same order with the same seq.
///
/// When the home goes down its channels move to their next node (the next
/// rendezvous score), which numbers on from the highest seq it saw. During
/// the switch (until every node saw the home down: at most the cluster's
/// down_after) two nodes may number one channel, so order and seq may differ
/// between nodes, and publishes in flight to the dead home are lost. A home
/// that restarts numbers its channels from 1 again.
///
/// Node-local channels (never relayed): `tasks` (per key, the sessions of
/// this node), `alerts` (each node's own alert engine: relayed, every node
/// would repeat cluster-wide alerts such as region_down) and `analytics`
/// (each node's own live snapshot). Thread-safe; it holds references to both
/// services, which must outlive it.
class cluster_channels final : public net::channel_relay {
public:
  cluster_channels(nzl::cluster::peer_messaging& peers, net::ws_service& channels);

  /// Registers the two topics' handlers on `peers` (once).
  void attach();

  /// True for the channels that stay on their node.
  [[nodiscard]] static bool node_local(std::string_view channel) noexcept;

  void forward(std::string_view channel, std::string_view data_json) override;
  [[nodiscard]] bool spans_cluster(std::string_view channel) override;
  [[nodiscard]] bool numbers_here(std::string_view channel) override;
  void fan_out(std::string_view channel, std::string_view data_json, std::uint64_t seq) override;

  /// Wire forms (`<channel>\n<data>` and `<seq>\n<channel>\n<data>`: channel
  /// names hold no newline), checked on the way in.
  struct event {
    std::uint64_t seq = 0;
    std::string_view channel;
    std::string_view data;
  };
  [[nodiscard]] static std::string encode_publish(std::string_view channel, std::string_view data);
  [[nodiscard]] static std::string encode_event(std::string_view channel, std::string_view data,
                                                std::uint64_t seq);
  [[nodiscard]] static std::optional<event> decode_publish(std::string_view text) noexcept;
  [[nodiscard]] static std::optional<event> decode_event(std::string_view text) noexcept;

  static constexpr std::string_view publish_topic = "ws.publish";
  static constexpr std::string_view event_topic = "ws.event";

private:
  [[nodiscard]] std::string home_of(std::string_view channel) const;

  nzl::cluster::peer_messaging& peers_;
  net::ws_service& channels_;
  std::string self_;
};

} // namespace nzl::actors::ws
