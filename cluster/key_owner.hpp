#pragma once

#include <span>
#include <string>
#include <string_view>

namespace nzl::cluster {

/// The node that keeps `key` (an Idempotency-Key scoped to its client) among
/// `nodes`: rendezvous hashing, so every node that sees the same set of
/// nodes picks the same owner, and a node leaving moves only its own keys.
/// Empty when `nodes` is empty. The hash is fixed (FNV-1a, then a 64-bit
/// mix), never std::hash: it must agree between builds.
[[nodiscard]] std::string key_owner(std::string_view key, std::span<const std::string> nodes);

} // namespace nzl::cluster
