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

/// Carries publishes between nodes; implemented by the cluster layer. A
/// publish on this node is handed to `forward` (the relay sends it to every
/// other node, which calls `ws_service::deliver_remote`).
class channel_relay {
public:
  virtual ~channel_relay() = default;
  virtual void forward(std::string_view channel, std::string_view data_json) = 0;
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
  /// the relay for the other nodes. Returns the sequence number given here.
  virtual std::uint64_t publish(const std::string& channel, std::string_view data_json) = 0;

  /// A publish that came from another node: delivered here only.
  virtual void deliver_remote(const std::string& channel, std::string_view data_json) = 0;

  /// Subscribers of `channel` on this node (tests, stats).
  [[nodiscard]] virtual std::size_t subscribers(const std::string& channel) const = 0;
};

} // namespace nzl::net
