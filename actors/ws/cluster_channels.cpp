#include "actors/ws/cluster_channels.hpp"

#include "cluster/channel_home.hpp"
#include "core/log.hpp"

#include <charconv>

namespace nzl::actors::ws {

namespace {

// Channel names as the session accepts them (1-64 of [A-Za-z0-9._:-]); a
// peer's message naming anything else is dropped.
bool valid_channel(std::string_view c) noexcept {
  if (c.empty() || c.size() > 64)
    return false;
  for (char ch : c) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == ':' || ch == '-';
    if (!ok)
      return false;
  }
  return true;
}

} // namespace

cluster_channels::cluster_channels(nzl::cluster::peer_messaging& peers, net::ws_service& channels)
    : peers_(peers), channels_(channels), self_(peers.self_node()) {}

void cluster_channels::attach() {
  peers_.on_message(std::string{publish_topic}, [this](std::string_view, std::string_view text) {
    auto e = decode_publish(text);
    if (!e || node_local(e->channel))
      return;
    (void)channels_.publish_forwarded(std::string{e->channel}, e->data);
  });
  peers_.on_message(std::string{event_topic}, [this](std::string_view, std::string_view text) {
    auto e = decode_event(text);
    if (!e || node_local(e->channel))
      return;
    channels_.deliver_numbered(std::string{e->channel}, e->data, e->seq);
  });
}

bool cluster_channels::node_local(std::string_view channel) noexcept {
  return channel == "tasks" || channel.starts_with("tasks/") || channel == "alerts" ||
         channel == "analytics";
}

bool cluster_channels::spans_cluster(std::string_view channel) {
  return !node_local(channel);
}

std::string cluster_channels::home_of(std::string_view channel) const {
  auto live = peers_.live_nodes();
  return nzl::cluster::channel_home(channel, live);
}

bool cluster_channels::numbers_here(std::string_view channel) {
  auto home = home_of(channel);
  return home.empty() || home == self_;
}

void cluster_channels::forward(std::string_view channel, std::string_view data_json) {
  auto home = home_of(channel);
  if (home.empty() || home == self_) {
    // The home changed between numbers_here and now: number it here.
    (void)channels_.publish_forwarded(std::string{channel}, data_json);
    return;
  }
  auto sent = peers_.send(home, publish_topic, encode_publish(channel, data_json));
  if (!sent)
    log::emit(log::level::warn, "ws_relay_dropped", R"("channel":{},"detail":{})",
              log::quote(channel), log::quote(sent.err().detail));
}

void cluster_channels::fan_out(std::string_view channel, std::string_view data_json,
                               std::uint64_t seq) {
  auto sent = peers_.broadcast(event_topic, encode_event(channel, data_json, seq));
  if (!sent)
    log::emit(log::level::warn, "ws_relay_dropped", R"("channel":{},"detail":{})",
              log::quote(channel), log::quote(sent.err().detail));
}

std::string cluster_channels::encode_publish(std::string_view channel, std::string_view data) {
  std::string out;
  out.reserve(channel.size() + data.size() + 1);
  out.append(channel).push_back('\n');
  out.append(data);
  return out;
}

std::string cluster_channels::encode_event(std::string_view channel, std::string_view data,
                                           std::uint64_t seq) {
  auto out = std::to_string(seq);
  out.reserve(out.size() + channel.size() + data.size() + 2);
  out.push_back('\n');
  out.append(channel).push_back('\n');
  out.append(data);
  return out;
}

std::optional<cluster_channels::event>
cluster_channels::decode_publish(std::string_view text) noexcept {
  auto nl = text.find('\n');
  if (nl == std::string_view::npos)
    return std::nullopt;
  event e;
  e.channel = text.substr(0, nl);
  e.data = text.substr(nl + 1);
  if (!valid_channel(e.channel) || e.data.empty())
    return std::nullopt;
  return e;
}

std::optional<cluster_channels::event>
cluster_channels::decode_event(std::string_view text) noexcept {
  auto nl = text.find('\n');
  if (nl == std::string_view::npos || nl == 0 || nl > 20)
    return std::nullopt;
  event e;
  auto [end, ec] = std::from_chars(text.data(), text.data() + nl, e.seq);
  if (ec != std::errc{} || end != text.data() + nl || e.seq == 0)
    return std::nullopt;
  auto rest = decode_publish(text.substr(nl + 1));
  if (!rest)
    return std::nullopt;
  e.channel = rest->channel;
  e.data = rest->data;
  return e;
}

} // namespace nzl::actors::ws
