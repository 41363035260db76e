#include "actors/ws/channel_registry.hpp"

#include <algorithm>
#include <functional>

namespace nzl::actors::ws {

channel_registry::channel_registry(channel_limits limits) : limits_(limits) {}

channel_registry::shard& channel_registry::shard_of(const std::string& channel) noexcept {
  return shards_[std::hash<std::string>{}(channel) % shards_.size()];
}

bool channel_registry::subscribe(const std::string& channel,
                                 std::weak_ptr<net::ws_subscriber> subscriber) {
  auto& s = shard_of(channel);
  std::lock_guard guard{s.mutex};
  auto it = s.channels.find(channel);
  if (it == s.channels.end()) {
    if (channel_count_.load() >= limits_.max_channels)
      return false;
    it = s.channels.emplace(channel, channel_registry::channel{}).first;
    channel_count_.fetch_add(1);
  }
  auto& subs = it->second.subs;
  if (subs.size() >= limits_.max_subscribers_per_channel) {
    // Dead subscribers may hold places: drop them before refusing.
    std::erase_if(subs, [](auto& w) { return w.expired(); });
    if (subs.size() >= limits_.max_subscribers_per_channel)
      return false;
  }
  subs.push_back(std::move(subscriber));
  return true;
}

void channel_registry::unsubscribe(const std::string& channel,
                                   const net::ws_subscriber* subscriber) {
  auto& s = shard_of(channel);
  std::lock_guard guard{s.mutex};
  auto it = s.channels.find(channel);
  if (it == s.channels.end())
    return;
  std::erase_if(it->second.subs, [subscriber](auto& w) {
    auto p = w.lock();
    return !p || p.get() == subscriber;
  });
  // A channel without subscribers keeps its sequence while it exists; an
  // empty one is forgotten so that names cannot pile up.
  if (it->second.subs.empty()) {
    s.channels.erase(it);
    channel_count_.fetch_sub(1);
  }
}

void channel_registry::deliver_locked(shard& s, const std::string& channel,
                                      std::string_view data_json, std::uint64_t seq) {
  auto it = s.channels.find(channel);
  if (it == s.channels.end())
    return;
  auto& ch = it->second;
  // One text for every subscriber; each session appends its own msg_seq.
  std::string text;
  text.reserve(data_json.size() + channel.size() + 48);
  text += R"({"type":"event","channel":")";
  // Validated by the session ([A-Za-z0-9._:-], no escaping needed); a
  // system channel kept per key ("tasks/<key>") is shown by its name.
  text += std::string_view{channel}.substr(0, channel.find('/'));
  text += R"(","data":)";
  text += data_json;
  text += R"(,"seq":)";
  text += std::to_string(seq);
  auto shared = std::make_shared<const std::string>(std::move(text));
  bool dead = false;
  for (auto& w : ch.subs) {
    if (auto sub = w.lock())
      sub->deliver(shared);
    else
      dead = true;
  }
  if (dead)
    std::erase_if(ch.subs, [](auto& w) { return w.expired(); });
}

std::uint64_t channel_registry::fan_out(const std::string& channel, std::string_view data_json) {
  auto& s = shard_of(channel);
  std::lock_guard guard{s.mutex};
  auto it = s.channels.find(channel);
  if (it == s.channels.end())
    return 0; // nobody here listens: nothing to number
  auto seq = ++it->second.seq;
  deliver_locked(s, channel, data_json, seq);
  return seq;
}

std::uint64_t& channel_registry::number_slot(shard& s, const std::string& channel) {
  auto it = s.numbers.find(channel);
  if (it != s.numbers.end())
    return it->second;
  // Bounded like the channels: past the bound one other channel forgets its
  // number (its seq then restarts at 1; see docs/websocket.md).
  if (s.numbers.size() >= std::max<std::size_t>(1, limits_.max_channels / shards_.size()))
    s.numbers.erase(s.numbers.begin());
  return s.numbers.emplace(channel, 0).first->second;
}

std::uint64_t channel_registry::number_here(const std::string& channel,
                                            std::string_view data_json) {
  auto& s = shard_of(channel);
  std::lock_guard guard{s.mutex};
  auto seq = ++number_slot(s, channel);
  deliver_locked(s, channel, data_json, seq);
  // Under the lock: the relay gets this channel's events in seq order.
  relay_->fan_out(channel, data_json, seq);
  return seq;
}

std::uint64_t channel_registry::publish(const std::string& channel, std::string_view data_json) {
  if (!relay_ || !relay_->spans_cluster(channel))
    return fan_out(channel, data_json); // one node: no hop, no relay
  if (!relay_->numbers_here(channel)) {
    relay_->forward(channel, data_json);
    return 0;
  }
  return number_here(channel, data_json);
}

std::uint64_t channel_registry::publish_forwarded(const std::string& channel,
                                                  std::string_view data_json) {
  if (!relay_)
    return fan_out(channel, data_json);
  return number_here(channel, data_json);
}

void channel_registry::deliver_remote(const std::string& channel, std::string_view data_json) {
  if (!relay_) {
    fan_out(channel, data_json);
    return;
  }
  auto& s = shard_of(channel);
  std::lock_guard guard{s.mutex};
  deliver_locked(s, channel, data_json, ++number_slot(s, channel));
}

void channel_registry::deliver_numbered(const std::string& channel, std::string_view data_json,
                                        std::uint64_t seq) {
  auto& s = shard_of(channel);
  std::lock_guard guard{s.mutex};
  auto& last = number_slot(s, channel);
  last = std::max(last, seq);
  deliver_locked(s, channel, data_json, seq);
}

std::size_t channel_registry::subscribers(const std::string& channel) const {
  auto& s = const_cast<channel_registry*>(this)->shard_of(channel);
  std::lock_guard guard{s.mutex};
  auto it = s.channels.find(channel);
  return it == s.channels.end() ? 0 : it->second.subs.size();
}

} // namespace nzl::actors::ws
