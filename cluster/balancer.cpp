#include "cluster/balancer.hpp"

namespace nzl::cluster {

std::optional<balance_policy> parse_balance_policy(std::string_view text) noexcept {
  if (text == "round_robin")
    return balance_policy::round_robin;
  if (text == "least_connections")
    return balance_policy::least_connections;
  if (text == "weighted")
    return balance_policy::weighted;
  if (text == "latency")
    return balance_policy::latency;
  return std::nullopt;
}

std::string_view to_string(balance_policy policy) noexcept {
  switch (policy) {
  case balance_policy::round_robin:
    return "round_robin";
  case balance_policy::least_connections:
    return "least_connections";
  case balance_policy::weighted:
    return "weighted";
  case balance_policy::latency:
    return "latency";
  }
  return "round_robin";
}

std::size_t balancer::pick_min(std::span<const candidate> nodes, double (*key)(const candidate&)) {
  // Among the nodes with the smallest key, take turns, starting after the
  // last one chosen.
  double best = key(nodes[0]);
  for (const auto& n : nodes)
    best = std::min(best, key(n));
  const auto start = static_cast<std::size_t>(turn_ % nodes.size());
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    auto i = (start + k) % nodes.size();
    if (key(nodes[i]) == best) {
      turn_ = i + 1;
      return i;
    }
  }
  return start;
}

std::size_t balancer::pick(std::span<const candidate> nodes) {
  if (nodes.size() <= 1)
    return 0;
  switch (policy_) {
  case balance_policy::round_robin:
    return static_cast<std::size_t>(turn_++ % nodes.size());
  case balance_policy::least_connections:
    return pick_min(nodes, [](const candidate& c) { return static_cast<double>(c.in_flight); });
  case balance_policy::latency:
    return pick_min(nodes, [](const candidate& c) { return c.rtt_ms; });
  case balance_policy::weighted: {
    double total = 0;
    std::size_t best = 0;
    double best_weight = 0;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      auto w = nodes[i].weight > 0 ? nodes[i].weight : 1;
      total += w;
      auto it = current_.find(nodes[i].node);
      if (it == current_.end())
        it = current_.emplace(std::string{nodes[i].node}, 0.0).first;
      it->second += w;
      if (i == 0 || it->second > best_weight) {
        best = i;
        best_weight = it->second;
      }
    }
    current_.find(nodes[best].node)->second -= total;
    return best;
  }
  }
  return 0;
}

} // namespace nzl::cluster
