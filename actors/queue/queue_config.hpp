#pragma once

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace nzl::actors {

/// Settings shared by every queue actor of a node (manifest `queues`).
struct queue_config {
  std::size_t max_backlog = 10'000; ///< waiting tasks per queue before 503
  std::uint32_t default_max_retries = 3;
  std::int64_t retry_base_ms = 1'000;
  std::int64_t retry_cap_ms = 300'000;
  std::int64_t result_ttl_ms = 86'400'000; ///< final tasks are purged this long after finishing
  std::int64_t stuck_after_ms = 60'000;    ///< due tasks and no progress this long: not ready
  unsigned concurrency = 2;                ///< tasks of one queue running at once
};

/// Answers to the HTTP layer: a JSON body or an error. Called once, on any thread.
using json_reply = std::function<void(result<nlohmann::json>)>;

} // namespace nzl::actors
