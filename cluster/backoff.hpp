#pragma once

#include <chrono>
#include <cstdint>

namespace nzl::cluster {

/// Capped exponential backoff with jitter for reconnecting to a peer: the
/// n-th delay is drawn from [d/2, d] with d = min(cap, base * 2^n), so peers
/// that lost each other at the same moment do not redial in lock step.
/// `seed` makes the jitter reproducible (tests); not thread-safe.
class backoff {
public:
  backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap, std::uint64_t seed);

  /// The next delay, and one step further up.
  [[nodiscard]] std::chrono::milliseconds next() noexcept;

  /// Back to `base` (after a successful connection).
  void reset() noexcept { attempt_ = 0; }

  [[nodiscard]] unsigned attempts() const noexcept { return attempt_; }

private:
  std::chrono::milliseconds base_;
  std::chrono::milliseconds cap_;
  std::uint64_t state_;
  unsigned attempt_ = 0;
};

} // namespace nzl::cluster
