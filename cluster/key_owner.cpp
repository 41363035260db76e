#include "cluster/key_owner.hpp"

#include <cstdint>

namespace nzl::cluster {

namespace {

std::uint64_t fnv1a(std::uint64_t h, std::string_view s) noexcept {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// FNV-1a alone spreads similar inputs poorly in its high bits; the
// splitmix64 finaliser fixes that.
std::uint64_t mix(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

} // namespace

std::string key_owner(std::string_view key, std::span<const std::string> nodes) {
  const std::string* best = nullptr;
  std::uint64_t best_score = 0;
  for (const auto& node : nodes) {
    auto h = fnv1a(0xcbf29ce484222325ULL, node);
    h = fnv1a(h ^ 0xff, key); // a separator: ("ab","c") and ("a","bc") differ
    const auto score = mix(h);
    if (best == nullptr || score > best_score || (score == best_score && node < *best)) {
      best = &node;
      best_score = score;
    }
  }
  return best ? *best : std::string{};
}

} // namespace nzl::cluster
