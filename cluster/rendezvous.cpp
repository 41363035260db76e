#include "cluster/rendezvous.hpp"

namespace nzl::cluster {

std::uint64_t stable_hash(std::string_view text) noexcept {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

namespace {

// FNV-1a alone mixes the last bytes weakly; a final avalanche (splitmix64's)
// spreads items evenly over nodes whose names differ in one character.
std::uint64_t mix(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

} // namespace

std::string rendezvous_home(std::string_view item, std::span<const std::string> nodes) {
  const std::string* best = nullptr;
  std::uint64_t best_score = 0;
  for (const auto& node : nodes) {
    std::string key;
    key.reserve(item.size() + node.size() + 1);
    key.append(item).push_back('\0');
    key.append(node);
    auto score = mix(stable_hash(key));
    // Ties (practically never) go to the smaller name, so the choice does not
    // depend on the order of `nodes`.
    if (!best || score > best_score || (score == best_score && node < *best)) {
      best = &node;
      best_score = score;
    }
  }
  return best ? *best : std::string{};
}

} // namespace nzl::cluster
