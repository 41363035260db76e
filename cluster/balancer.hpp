#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace nzl::cluster {

/// How tasks spread over the nodes of one region (manifest
/// `cluster.balancing`).
enum class balance_policy : std::uint8_t { round_robin, least_connections, weighted, latency };

[[nodiscard]] std::optional<balance_policy> parse_balance_policy(std::string_view text) noexcept;
[[nodiscard]] std::string_view to_string(balance_policy policy) noexcept;

/// One node that may take the task, with what the heartbeats said of it.
struct candidate {
  std::string_view node;
  std::uint32_t in_flight = 0;
  double weight = 1;
  double rtt_ms = 0;
};

/// Chooses a node among candidates. Deterministic (no randomness): round
/// robin by a counter; least connections by fewest in flight, ties by turns;
/// weighted by smooth weighted round robin (nginx's: over any window each
/// node gets its share, interleaved); latency by smallest RTT, ties by
/// turns. Not thread-safe: one owner.
class balancer {
public:
  explicit balancer(balance_policy policy = balance_policy::round_robin) : policy_(policy) {}

  /// The index into `nodes` of the chosen one; `nodes` must not be empty.
  [[nodiscard]] std::size_t pick(std::span<const candidate> nodes);

  [[nodiscard]] balance_policy policy() const noexcept { return policy_; }

private:
  std::size_t pick_min(std::span<const candidate> nodes, double (*key)(const candidate&));

  balance_policy policy_;
  std::uint64_t turn_ = 0;
  std::map<std::string, double, std::less<>> current_; ///< weighted: current weights
};

} // namespace nzl::cluster
