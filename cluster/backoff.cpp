#include "cluster/backoff.hpp"

#include <algorithm>

namespace nzl::cluster {

backoff::backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap, std::uint64_t seed)
    : base_(std::max(base, std::chrono::milliseconds{1})), cap_(std::max(cap, base_)),
      state_(seed | 1) {}

std::chrono::milliseconds backoff::next() noexcept {
  // xorshift64: enough for jitter, and reproducible from the seed.
  state_ ^= state_ << 13;
  state_ ^= state_ >> 7;
  state_ ^= state_ << 17;
  auto d = base_.count();
  for (unsigned i = 0; i < attempt_ && d < cap_.count(); ++i)
    d *= 2;
  d = std::min<std::int64_t>(d, cap_.count());
  if (attempt_ < 64)
    ++attempt_;
  auto half = d / 2;
  auto jitter =
      half > 0 ? static_cast<std::int64_t>(state_ % static_cast<std::uint64_t>(half + 1)) : 0;
  return std::chrono::milliseconds{d - half + jitter};
}

} // namespace nzl::cluster
