#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace nzl::cluster {

/// A stable 64-bit hash (FNV-1a) of `text`: the same on every node and build
/// (std::hash is neither).
[[nodiscard]] std::uint64_t stable_hash(std::string_view text) noexcept;

/// The node that numbers the events of a WebSocket channel across the
/// cluster (its sequencer): of `live` nodes, the one with the highest
/// rendezvous score hash(channel, node). Every node that sees the same live
/// set picks the same one; when it goes down only its channels move (each to
/// its next-highest node), and they move back when it returns. `live` need
/// not be sorted; empty: an empty string.
[[nodiscard]] std::string channel_home(std::string_view channel, std::span<const std::string> live);

} // namespace nzl::cluster
