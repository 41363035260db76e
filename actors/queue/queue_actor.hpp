#pragma once

#include "actors/queue/queue_config.hpp"
#include "plugins/handler_registry.hpp"

#include <caf/actor.hpp>

#include <atomic>
#include <memory>
#include <string>

namespace nzl::net {
class analytics_service;
}

namespace nzl::actors {

struct queue_actor_deps {
  std::string name;
  std::string region;
  queue_config config;
  std::shared_ptr<const plugins::handler_registry> handlers;
  caf::actor writer;      ///< the storage writer
  caf::actor region_node; ///< runs jobs on the executor pool
  caf::actor webhooks;    ///< delivers finished tasks to their webhook (may be invalid)
  std::shared_ptr<std::atomic<int>> stalled_queues; ///< queues not making progress
  /// Where finished tasks are measured (issue 11); null inside: not measured.
  std::shared_ptr<const std::atomic<net::analytics_service*>> analytics;
  /// Tasks of this queue waiting and running, stored by the actor after every
  /// change for readers on other threads (/metrics); may be null.
  struct gauges {
    std::atomic<std::uint32_t> waiting{0};
    std::atomic<std::uint32_t> running{0};
  };
  std::shared_ptr<gauges> depth;
};

/// Spawns the actor that alone owns one named queue (the "durable object"):
/// its waiting tasks, their order, their retries and the records of its
/// unfinished tasks. Messages: see actors/internal/queue_messages.hpp.
[[nodiscard]] caf::actor spawn_queue_actor(caf::actor_system& sys, queue_actor_deps deps);

} // namespace nzl::actors
