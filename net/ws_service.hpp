#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace nzl::net {

/// One subscriber of channels (a WebSocket session). `deliver` is called on
/// any thread, in channel order, with the event as JSON text without its
/// closing brace (`{"type":"event","channel":..,"data":..,"seq":N`); it must
/// be cheap and must not block (a session appends to its bounded outbox).
class ws_subscriber {
public:
  virtual ~ws_subscriber() = default;
  virtual void deliver(std::shared_ptr<const std::string> event_text) = 0;
};

/// Carries publishes between nodes; implemented by the cluster layer
/// (actors::ws::cluster_channels, docs/websocket.md "Channels across the
/// cluster"). For a channel that spans the cluster, one node numbers its
/// events (the channel's home): a publish elsewhere is `forward`ed there, and
/// the home numbers it (`ws_service::publish_forwarded`) and hands the
/// numbered event to `fan_out`, which sends it to every other node
/// (`ws_service::deliver_numbered` there). The defaults make a plain relay:
/// every channel numbered on the node it is published on, then forwarded.
class channel_relay {
public:
  virtual ~channel_relay() = default;

  /// A publish this node does not number: send it on (to the home).
  virtual void forward(std::string_view channel, std::string_view data_json) = 0;

  /// False for a channel that stays on this node (never relayed).
  [[nodiscard]] virtual bool spans_cluster(std::string_view /*channel*/) { return true; }

  /// True when this node numbers `channel`'s events now.
  [[nodiscard]] virtual bool numbers_here(std::string_view /*channel*/) { return true; }

  /// This node numbered event `seq` of `channel`: send it to the other
  /// nodes. Called under the channel's lock, so in `seq` order per channel;
  /// must be quick and must not block.
  virtual void fan_out(std::string_view channel, std::string_view data_json,
                       std::uint64_t /*seq*/) {
    forward(channel, data_json);
  }
};

/// Channels as net/ reaches them (net never includes actors/): implemented by
/// actors::ws::channel_registry. Thread-safe.
class ws_service {
public:
  virtual ~ws_service() = default;

  /// Adds `subscriber` to `channel` (held weakly: a subscriber that dies is
  /// dropped at the next publish). False when the channel or the registry is
  /// full.
  [[nodiscard]] virtual bool subscribe(const std::string& channel,
                                       std::weak_ptr<ws_subscriber> subscriber) = 0;

  /// Removes `subscriber` from `channel` (no effect when absent).
  virtual void unsubscribe(const std::string& channel, const ws_subscriber* subscriber) = 0;

  /// Delivers `data_json` (valid JSON text) to every subscriber of `channel`
  /// on this node with the channel's next sequence number, and hands it to
  /// the relay for the other nodes. Returns the sequence number given here,
  /// or 0 when none was given here (another node numbers the channel, or
  /// nobody on this node listens); the session then omits `seq` from its
  /// `published` reply.
  virtual std::uint64_t publish(const std::string& channel, std::string_view data_json) = 0;

  /// A publish that came from another node, numbered here: delivered here
  /// only.
  virtual void deliver_remote(const std::string& channel, std::string_view data_json) = 0;

  /// A publish another node forwarded because this node numbers `channel`:
  /// numbered, delivered here and handed to the relay's `fan_out`. Returns
  /// the sequence number.
  virtual std::uint64_t publish_forwarded(const std::string& channel,
                                          std::string_view data_json) = 0;

  /// An event another node numbered: delivered here with `seq`; later
  /// numbering here (should this node become the channel's home) goes on
  /// from the highest seq seen.
  virtual void deliver_numbered(const std::string& channel, std::string_view data_json,
                                std::uint64_t seq) = 0;

  /// Subscribers of `channel` on this node (tests, stats).
  [[nodiscard]] virtual std::size_t subscribers(const std::string& channel) const = 0;
};

} // namespace nzl::net
