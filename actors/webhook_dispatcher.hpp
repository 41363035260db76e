#pragma once

#include <caf/fwd.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace nzl::net::outbound {
class http_client;
} // namespace nzl::net::outbound

namespace nzl::actors {

struct webhook_config {
  std::shared_ptr<net::outbound::http_client> client; ///< checks the egress rules
  std::string secret;                                 ///< Standard Webhooks secret ("whsec_...")
  std::uint32_t timeout_ms = 5'000;                   ///< per attempt
  std::uint32_t max_attempts = 6;                     ///< then give up (recorded on the task)
  std::int64_t retry_base_ms = 1'000;                 ///< doubles per attempt: 1, 2, 4, 8, 16 s
};

/// Spawns the actor that POSTs finished tasks to their webhooks, signed the
/// Standard Webhooks way, retrying failed deliveries with exponential backoff
/// for a bounded number of attempts. Every attempt is recorded on the task
/// (through its queue actor). Takes `(deliver_atom, record_ptr, queue actor)`.
[[nodiscard]] caf::actor spawn_webhook_dispatcher(caf::actor_system& sys, webhook_config config);

} // namespace nzl::actors
