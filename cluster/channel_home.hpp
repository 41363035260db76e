#pragma once

#include "cluster/rendezvous.hpp"

namespace nzl::cluster {

/// The node that numbers the events of a WebSocket channel across the
/// cluster (its sequencer): the rendezvous home of the channel among the
/// `live` nodes.
[[nodiscard]] inline std::string channel_home(std::string_view channel,
                                              std::span<const std::string> live) {
  return rendezvous_home(channel, live);
}

} // namespace nzl::cluster
