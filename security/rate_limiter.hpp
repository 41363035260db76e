#pragma once

#include "core/result.hpp"
#include "security/token_bucket.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

namespace nzl::security {

// Rate limiting: one token bucket per bucket key (for example "key:k_…" or
// "ip:192.0.2.1"), each under a tier from the manifest. The limiter holds at
// most `max_buckets`; at the cap it drops the least recently used bucket,
// which has been idle longest and so is the fullest (dropping a full bucket
// loses nothing). A restart loses what changed since the last `snapshot()`
// the owner persisted. A plain class with the clock passed in; NOT
// thread-safe: exactly one owner (one actor) uses it.

/// A named quota: `quota` units per `window_s` seconds.
struct rate_tier {
  std::string name; ///< 1..32 characters of [a-z0-9_-]
  std::int64_t quota = 100;
  std::int64_t window_s = 60;
};

/// True for 1..32 characters of [a-z0-9_-] (what a header can carry unquoted
/// inside its sf-string without escaping).
[[nodiscard]] bool valid_tier_name(std::string_view name) noexcept;

/// Checks a tier: valid name, quota 1..max_bucket_quota, window
/// 1..max_bucket_window_s seconds. `errc::invalid_field` otherwise.
[[nodiscard]] result<rate_tier> check_tier(rate_tier tier);

/// Longest bucket key the limiter accepts (longer keys are cut to it).
inline constexpr std::size_t max_bucket_key_length = 128;

class rate_limiter {
public:
  /// `max_buckets` >= 1.
  explicit rate_limiter(std::size_t max_buckets = 100'000);

  /// Takes `n` units (a batch counts each task) from the bucket `bucket_key`
  /// under `tier`, creating a full bucket if there is none. When the tier's
  /// quota or window changed since the bucket was made, the bucket is rebuilt
  /// under the new tier keeping its remaining tokens (capped at the new quota).
  take_result take(std::string_view bucket_key, const rate_tier& tier, std::int64_t n,
                   std::int64_t now_ms);

  /// The current state of a bucket without taking anything (a full bucket if
  /// there is none).
  [[nodiscard]] take_result peek(std::string_view bucket_key, const rate_tier& tier,
                                 std::int64_t now_ms) const;

  /// Drops every bucket that is full at `now_ms`; returns how many.
  std::size_t prune(std::int64_t now_ms);

  /// Every bucket that is not full at `now_ms`, as
  /// `{"v":1,"buckets":[{"k":key,"q":quota,"w":window_s,"u":units,"t":updated_ms}]}`.
  [[nodiscard]] nlohmann::json snapshot(std::int64_t now_ms) const;

  /// Replaces the buckets with those of a snapshot. Validates everything
  /// first; on failure (`errc::invalid_field`) nothing changes. Keeps at most
  /// `max_buckets`. Returns the number restored.
  result<std::size_t> restore(const nlohmann::json& snapshot);

  [[nodiscard]] std::size_t size() const noexcept { return buckets_.size(); }
  [[nodiscard]] std::size_t max_buckets() const noexcept { return max_buckets_; }

private:
  struct entry {
    std::string key;
    token_bucket bucket;
  };
  using lru_list = std::list<entry>; // front: most recently used

  std::size_t max_buckets_;
  lru_list lru_;
  std::unordered_map<std::string_view, lru_list::iterator> buckets_; // views into lru_ keys
};

/// `"<tier>";q=<quota>;w=<window_s>`: the value of RateLimit-Policy
/// (draft-ietf-httpapi-ratelimit-headers: a List of Strings with the quota
/// and window parameters).
[[nodiscard]] std::string ratelimit_policy_value(const rate_tier& tier);

/// `"<tier>";r=<remaining>;t=<reset_seconds>`: the value of RateLimit.
[[nodiscard]] std::string ratelimit_value(const rate_tier& tier, const take_result& taken);

/// The value of Retry-After for a refused take (delay-seconds, >= 1).
[[nodiscard]] std::string retry_after_value(const take_result& taken);

} // namespace nzl::security
