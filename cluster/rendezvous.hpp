#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace nzl::cluster {

/// A stable 64-bit hash (FNV-1a) of `text`: the same on every node and build
/// (std::hash is neither).
[[nodiscard]] std::uint64_t stable_hash(std::string_view text) noexcept;

/// Rendezvous hashing: of `nodes`, the one with the highest score
/// hash(item, node). Every node that sees the same set picks the same one;
/// when it leaves only its items move (each to its next-highest node), and
/// they move back when it returns. `nodes` need not be sorted; empty: an
/// empty string. The one mechanism behind channel_home and key_owner.
[[nodiscard]] std::string rendezvous_home(std::string_view item,
                                          std::span<const std::string> nodes);

} // namespace nzl::cluster
