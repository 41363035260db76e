#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

namespace nzl::security {

/// An in-memory set of recently seen (key id, nonce) pairs, each remembered
/// until its expiry (the request's timestamp + the signature window), with at
/// most `capacity` entries. A plain class with an injected clock; not
/// thread-safe (one owner, e.g. the actor that also writes nonces to storage).
///
/// When full of unexpired entries it refuses new ones (`full`) rather than
/// forgetting any: forgetting a live nonce would let a replay through. The
/// caller answers `full` with 503 and Retry-After.
class nonce_window {
public:
  enum class outcome : std::uint8_t {
    fresh,  ///< not seen before; now remembered
    replay, ///< seen before and not yet expired: refuse the request
    full,   ///< at capacity with no expired entry to drop
  };

  /// `capacity` >= 1 entries.
  explicit nonce_window(std::size_t capacity);

  /// Records `nonce` for `key_id` through `expires_at_s` (inclusive), after
  /// dropping entries expired at `now_s`.
  outcome remember(std::string_view key_id, std::string_view nonce, std::int64_t expires_at_s,
                   std::int64_t now_s);

  /// True if the pair is remembered and not expired at `now_s`.
  [[nodiscard]] bool contains(std::string_view key_id, std::string_view nonce,
                              std::int64_t now_s) const;

  /// Drops every entry expired at `now_s` (expiry < now_s).
  void expire(std::int64_t now_s);

  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

private:
  static std::string key_of(std::string_view key_id, std::string_view nonce);

  std::size_t capacity_;
  std::unordered_map<std::string, std::int64_t> entries_; // pair -> expiry
  std::multimap<std::int64_t, std::string> by_expiry_;    // expiry -> pair
};

} // namespace nzl::security
