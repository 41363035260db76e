#pragma once

#include "net/ws_service.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace nzl::actors::ws {

struct channel_limits {
  std::size_t max_channels = 100'000;
  std::size_t max_subscribers_per_channel = 100'000;
};

/// The node's channels: name -> subscribers (weak) and the channel's next
/// sequence number (with a cluster relay: the number its home gave). Sixteen shards, each one mutex
/// guarding its channels; a publish assigns the sequence number and fans out under its shard's
/// lock, so events of one channel reach every subscriber in publish order. The subscribers'
/// `deliver` only appends to a bounded outbox and wakes its connection (a subscriber on the
/// publisher's io thread starts its non-blocking write at once, the others join their io
/// thread's wake list), so a lock is held for microseconds per subscriber (~10k subscribers:
/// milliseconds; see docs/websocket.md). In memory
/// only: a restart forgets channels (clients resubscribe). Thread-safe.
class channel_registry final : public net::ws_service {
public:
  explicit channel_registry(channel_limits limits = {});

  /// Publishes of this node go to `relay` too (null: this node only). Set
  /// before the server starts.
  void set_relay(net::channel_relay* relay) noexcept { relay_ = relay; }

  /// The caller subscribes a subscriber to a channel at most once (sessions
  /// keep their own set of channels), so this is O(1).
  bool subscribe(const std::string& channel, std::weak_ptr<net::ws_subscriber> subscriber) override;
  void unsubscribe(const std::string& channel, const net::ws_subscriber* subscriber) override;
  std::uint64_t publish(const std::string& channel, std::string_view data_json) override;
  void deliver_remote(const std::string& channel, std::string_view data_json) override;
  std::uint64_t publish_forwarded(const std::string& channel, std::string_view data_json) override;
  void deliver_numbered(const std::string& channel, std::string_view data_json,
                        std::uint64_t seq) override;
  std::size_t subscribers(const std::string& channel) const override;

private:
  struct channel {
    std::uint64_t seq = 0;
    std::vector<std::weak_ptr<net::ws_subscriber>> subs;
  };
  struct shard {
    mutable std::mutex mutex; // guards `channels` and `numbers`
    std::unordered_map<std::string, channel> channels;
    // With a relay: the last seq numbered or seen per relayed channel,
    // subscribers or not (a home numbers for other nodes' subscribers).
    std::unordered_map<std::string, std::uint64_t> numbers;
  };

  shard& shard_of(const std::string& channel) noexcept;
  std::uint64_t fan_out(const std::string& channel, std::string_view data_json);
  // Under the shard's lock: delivers event `seq` to this node's subscribers.
  void deliver_locked(shard& s, const std::string& channel, std::string_view data_json,
                      std::uint64_t seq);
  // Under the shard's lock: the slot of `channel` in `numbers` (bounded).
  std::uint64_t& number_slot(shard& s, const std::string& channel);
  std::uint64_t number_here(const std::string& channel, std::string_view data_json);

  channel_limits limits_;
  std::array<shard, 16> shards_;
  std::atomic<std::size_t> channel_count_{0};
  net::channel_relay* relay_ = nullptr;
};

} // namespace nzl::actors::ws
