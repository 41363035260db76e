#pragma once

#include <cstdint>

namespace nzl::security {

// A token bucket that holds at most `quota` tokens and refills continuously
// at quota/window_s tokens per second. State is kept in integer units (one
// token = window_ms units; each millisecond adds `quota` units) so refills
// are exact and a persisted bucket restores to the same state.

/// Largest quota and window a bucket accepts (larger values are clamped).
inline constexpr std::int64_t max_bucket_quota = 1'000'000;
inline constexpr std::int64_t max_bucket_window_s = 7 * 86'400;

/// The answer to one `try_take`.
struct take_result {
  bool allowed = false;
  std::int64_t remaining = 0;           ///< whole tokens left after this take
  std::int64_t reset_seconds = 0;       ///< seconds until the bucket is full again
  std::int64_t retry_after_seconds = 0; ///< when refused: seconds until `n` tokens exist (>= 1)
  bool exceeds_quota = false;           ///< refused because n > quota: never satisfiable
};

/// One bucket, with the clock passed in (unix or monotonic milliseconds, as
/// long as the caller is consistent). A clock going backwards refills nothing.
/// Not thread-safe.
class token_bucket {
public:
  /// A full bucket. `quota` and `window_s` are clamped to 1..max.
  token_bucket(std::int64_t quota, std::int64_t window_s, std::int64_t now_ms) noexcept;

  /// A bucket from persisted state (`units`, `updated_ms`); units are clamped
  /// to 0..capacity.
  [[nodiscard]] static token_bucket restore(std::int64_t quota, std::int64_t window_s,
                                            std::int64_t units, std::int64_t updated_ms) noexcept;

  /// Takes `n` >= 1 tokens if there are that many; `n` < 1 counts as 1.
  take_result try_take(std::int64_t n, std::int64_t now_ms) noexcept;

  /// What a take of zero tokens would report, without changing anything.
  [[nodiscard]] take_result peek(std::int64_t now_ms) const noexcept;

  /// True if the bucket is full at `now_ms` (dropping it loses nothing).
  [[nodiscard]] bool full_at(std::int64_t now_ms) const noexcept;

  [[nodiscard]] std::int64_t quota() const noexcept { return quota_; }
  [[nodiscard]] std::int64_t window_s() const noexcept { return window_s_; }
  [[nodiscard]] std::int64_t units() const noexcept { return units_; }
  [[nodiscard]] std::int64_t updated_ms() const noexcept { return updated_ms_; }

private:
  [[nodiscard]] std::int64_t capacity() const noexcept { return quota_ * window_s_ * 1000; }
  [[nodiscard]] std::int64_t units_at(std::int64_t now_ms) const noexcept;
  [[nodiscard]] take_result report(std::int64_t units) const noexcept;

  std::int64_t quota_;
  std::int64_t window_s_;
  std::int64_t units_;
  std::int64_t updated_ms_;
};

} // namespace nzl::security
