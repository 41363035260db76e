#pragma once

#include "core/result.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace nzl::cluster {

/// Resolves `host` (a name or a numeric address) and opens a TCP connection
/// to each of its addresses in turn with `timeout` per address, closing it at
/// once. Returns the numeric address that answered, for the caller to hand to
/// CAF's middleman, whose own connect resolves and connects blocking its one
/// network thread (cluster-lessons point 2: a dead host on a real network
/// would stall every link of the node until the kernel gives up).
/// Blocks the caller for up to the name lookup plus `timeout` per address:
/// call it only from a thread of its own (a detached actor).
/// Fails with `errc::unavailable` and the reason (lookup failed, refused,
/// timed out) when nothing answered.
[[nodiscard]] result<std::string> probe_port(const std::string& host, std::uint16_t port,
                                             std::chrono::milliseconds timeout);

} // namespace nzl::cluster
