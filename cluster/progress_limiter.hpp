#pragma once

#include <chrono>
#include <mutex>

namespace nzl::cluster {

/// Which progress reports of a forwarded task cross the link back to the
/// node that forwarded it: the first, then at most one per `gap`, and always
/// the final one (100), so that a handler reporting in a tight loop cannot
/// flood the link while the caller still sees the start and the end.
/// Thread-safe: a plugin may report from threads of its own.
class progress_limiter {
public:
  using clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds default_gap{20};

  explicit progress_limiter(std::chrono::milliseconds gap = default_gap) : gap_(gap) {}

  /// True when the report of `percent` at `now` is to be sent.
  [[nodiscard]] bool admit(int percent, clock::time_point now);

private:
  std::mutex mutex_;
  std::chrono::milliseconds gap_;
  clock::time_point last_{};
  bool sent_ = false;
};

} // namespace nzl::cluster
