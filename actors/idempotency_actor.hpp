#pragma once

#include "net/task_service.hpp"
#include "storage/fwd.hpp"

#include <caf/fwd.hpp>

#include <memory>

namespace nzl::actors {

struct idempotency_config {
  std::int64_t ttl_ms = 24 * 3600 * 1000; ///< how long a key's answer is kept
  std::size_t max_waiters = 16;           ///< identical requests waiting per key
  std::size_t max_keys = 1'000'000;       ///< keys kept in memory (oldest purged first)
};

/// Spawns the actor that owns Idempotency-Key state: which keys are in use,
/// by which request fingerprint, and their stored answers (table
/// idempotency, loaded at start, purged after ttl). Takes
/// `(begin_atom, key, fingerprint, handler)` and `(finish_atom, key,
/// optional response, done)`; see net::task_service.
[[nodiscard]] caf::actor spawn_idempotency_actor(caf::actor_system& sys,
                                                 std::shared_ptr<storage::environment> env,
                                                 caf::actor writer, idempotency_config config);

/// Sends the actor a begin / finish message (the message types stay in the .cpp).
void idempotency_begin(const caf::actor& actor, std::string key, std::string fingerprint,
                       net::task_service::idempotency_handler done);
void idempotency_finish(const caf::actor& actor, std::string key,
                        std::optional<net::http_response> response, std::function<void()> done);

} // namespace nzl::actors
