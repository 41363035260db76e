#pragma once

#include "cluster/rendezvous.hpp"

namespace nzl::cluster {

/// The node that keeps `key` (an Idempotency-Key scoped to its client): its
/// rendezvous home among `nodes` (this node and its live linked peers), so a
/// node leaving moves only its own keys.
[[nodiscard]] inline std::string key_owner(std::string_view key,
                                           std::span<const std::string> nodes) {
  return rendezvous_home(key, nodes);
}

} // namespace nzl::cluster
