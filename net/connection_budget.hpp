#pragma once

#include <cstddef>
#include <cstdint>

namespace nzl::net {

/// How many connections the HTTP server may hold open: sessions it serves,
/// and connections it is refusing with a 503 at the same moment.
struct connection_budget {
  std::size_t sessions = 0;
  std::size_t rejecters = 0;
};

/// The largest number of descriptors kept back from connections for the
/// node's own needs (LMDB, log, actor systems, cluster links, outbound calls,
/// plugins): an eighth of the open-file limit, at least `min_reserved`.
inline constexpr std::size_t min_reserved_descriptors = 32;

/// The connection budget under an open-file limit of `open_file_limit`
/// (RLIMIT_NOFILE): `configured` sessions and `rejecters_wanted` refusals,
/// lowered so that connections never take the descriptors the node itself
/// needs. Running out of descriptors fails accept() and, worse, every file,
/// pipe and socket the node opens while the clients hold them (LMDB, a
/// webhook, a cluster link); a connection refused with a 503 costs nothing.
/// At least one session and one rejecter remain, however low the limit.
[[nodiscard]] constexpr connection_budget budget_connections(std::size_t configured,
                                                             std::size_t rejecters_wanted,
                                                             std::uint64_t open_file_limit) {
  const std::uint64_t reserved = open_file_limit / 8 > min_reserved_descriptors
                                     ? open_file_limit / 8
                                     : min_reserved_descriptors;
  const std::uint64_t usable = open_file_limit > reserved ? open_file_limit - reserved : 0;
  // Refusals take at most a quarter of what connections may use.
  std::uint64_t rejecters = rejecters_wanted;
  if (rejecters > usable / 4)
    rejecters = usable / 4;
  if (rejecters == 0)
    rejecters = 1;
  std::uint64_t sessions = usable > rejecters ? usable - rejecters : 0;
  if (sessions > configured)
    sessions = configured;
  if (sessions == 0)
    sessions = 1;
  return {static_cast<std::size_t>(sessions), static_cast<std::size_t>(rejecters)};
}

} // namespace nzl::net
