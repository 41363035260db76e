#include "cluster/membership.hpp"

#include <algorithm>

namespace nzl::cluster {

std::string_view to_string(peer_state state) noexcept {
  switch (state) {
  case peer_state::up:
    return "up";
  case peer_state::suspect:
    return "suspect";
  case peer_state::down:
    return "down";
  case peer_state::incompatible:
    return "incompatible";
  }
  return "down";
}

membership::membership(std::string self_node, std::string self_region, membership_options options)
    : self_node_(std::move(self_node)), self_region_(std::move(self_region)), options_(options) {}

void membership::add_peer(std::string node, std::string region, double weight) {
  if (node == self_node_ || find(node))
    return;
  peer_info p;
  p.node = std::move(node);
  p.region = std::move(region);
  p.weight = weight > 0 ? weight : 1;
  p.detail = "not heard yet";
  peers_.push_back(std::move(p));
}

const peer_info* membership::find(std::string_view node) const noexcept {
  auto it = std::find_if(peers_.begin(), peers_.end(),
                         [&](const peer_info& p) { return p.node == node; });
  return it == peers_.end() ? nullptr : &*it;
}

peer_info* membership::find_mut(std::string_view node) noexcept {
  return const_cast<peer_info*>(std::as_const(*this).find(node));
}

std::optional<transition> membership::move(peer_info& p, peer_state to) {
  if (p.state == to)
    return std::nullopt;
  transition t{p.node, p.state, to};
  p.state = to;
  return t;
}

std::optional<transition> membership::heard(std::string_view node, time_point now,
                                            const load_report& load, std::optional<double> rtt_ms) {
  auto* p = find_mut(node);
  if (!p)
    return std::nullopt;
  p->last_heard = now;
  p->load = load;
  if (rtt_ms) {
    // The first sample sets the estimate; later ones move it by a quarter.
    p->rtt_ms = p->rtt_ms == 0 ? *rtt_ms : p->rtt_ms + (*rtt_ms - p->rtt_ms) / 4;
  }
  p->detail.clear();
  return move(*p, peer_state::up);
}

std::optional<transition> membership::lost(std::string_view node, std::string reason) {
  auto* p = find_mut(node);
  if (!p)
    return std::nullopt;
  p->linked = false;
  if (p->state == peer_state::incompatible)
    return std::nullopt;
  p->detail = std::move(reason);
  return move(*p, peer_state::down);
}

std::optional<transition> membership::refused(std::string_view node, std::string reason) {
  auto* p = find_mut(node);
  if (!p)
    return std::nullopt;
  p->detail = std::move(reason);
  return move(*p, peer_state::incompatible);
}

void membership::set_linked(std::string_view node, bool linked) {
  if (auto* p = find_mut(node))
    p->linked = linked;
}

std::vector<transition> membership::tick(time_point now) {
  std::vector<transition> out;
  for (auto& p : peers_) {
    if (p.state != peer_state::up && p.state != peer_state::suspect)
      continue;
    auto silence = now - p.last_heard;
    std::optional<transition> t;
    if (silence >= options_.down_after) {
      p.detail =
          "no heartbeat for " +
          std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(silence).count()) +
          " ms";
      t = move(p, peer_state::down);
    } else if (silence >= options_.suspect_after) {
      t = move(p, peer_state::suspect);
    }
    if (t)
      out.push_back(std::move(*t));
  }
  return out;
}

bool membership::region_up(std::string_view region) const noexcept {
  if (region == self_region_)
    return true;
  return std::any_of(peers_.begin(), peers_.end(), [&](const peer_info& p) {
    return p.region == region && (p.state == peer_state::up || p.state == peer_state::suspect);
  });
}

bool membership::region_serving(std::string_view region) const noexcept {
  if (region == self_region_ && self_serves())
    return true;
  return !serving_peers(region).empty();
}

std::vector<const peer_info*> membership::serving_peers(std::string_view region) const {
  // Up nodes first; suspect ones only when no node of the region is up (a
  // missed heartbeat is not yet a reason to route around a whole region).
  std::vector<const peer_info*> up;
  std::vector<const peer_info*> suspect;
  for (const auto& p : peers_) {
    if (p.region != region || p.load.drained)
      continue;
    if (p.state == peer_state::up)
      up.push_back(&p);
    else if (p.state == peer_state::suspect)
      suspect.push_back(&p);
  }
  return up.empty() ? suspect : up;
}

} // namespace nzl::cluster
