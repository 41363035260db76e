#pragma once

#include <caf/fwd.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace nzl::actors {

struct region_node_config {
  std::string region;
  unsigned executor_threads = 2;
  std::size_t max_waiting = 1024; ///< jobs waiting for an executor before overload
  /// Jobs waiting for an executor, stored by the actor after every change so
  /// other threads (heartbeats, /metrics) read it without a round trip.
  std::shared_ptr<std::atomic<std::uint32_t>> waiting;
};

/// Spawns the region node actor and its executor pool (detached workers,
/// linked to it). Messages: see actors/internal/messages.hpp.
[[nodiscard]] caf::actor spawn_region_node(caf::actor_system& sys, region_node_config config);

} // namespace nzl::actors
