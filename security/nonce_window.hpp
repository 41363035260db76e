#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

namespace nzl::security {

/// Key of the keyed hash a nonce window stores (SipHash-2-4, 128 bits).
using nonce_hash_key = std::array<std::uint8_t, 16>;

/// A fresh random key from OpenSSL's CSPRNG; nullopt if it fails.
[[nodiscard]] std::optional<nonce_hash_key> generate_nonce_hash_key() noexcept;

/// An in-memory set of recently seen (key id, nonce) pairs, each remembered
/// until its expiry (the request's timestamp + the signature window), with at
/// most `capacity` entries. A plain class with an injected clock (every call
/// takes `now_s`); not thread-safe (one owner, e.g. the security store under
/// its mutex).
///
/// A pair is stored as its 64-bit keyed hash (SipHash-2-4 of
/// "<key id>\n<nonce>" under a random 128-bit key that the owner keeps, so
/// clients cannot aim collisions): 8 bytes in an open-addressing table
/// (linear probing, at most 70 % full) and 8 bytes in the list of its expiry
/// second, about 20-40 bytes per nonce with the growth slack of both. Expiry
/// walks the lists of the seconds that have passed and deletes their hashes
/// from the table (backward-shift deletion, no tombstones): O(1) amortised
/// per nonce, never a scan of the window.
///
/// Two different pairs with the same hash make the second one look like a
/// replay (never the other way round: a replay is always caught). With n
/// nonces remembered, a fresh request is refused so with probability
/// n / 2^64, about 5e-14 at 1,000,000.
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

  /// `capacity` >= 1 entries (0 is taken as 1). Memory grows with the
  /// entries, not with the capacity.
  nonce_window(std::size_t capacity, const nonce_hash_key& key);

  /// The keyed hash of a pair, as stored (never 0).
  [[nodiscard]] std::uint64_t hash(std::string_view key_id, std::string_view nonce) const noexcept;

  /// Records `nonce` for `key_id` through `expires_at_s` (inclusive), after
  /// dropping entries expired at `now_s`.
  outcome remember(std::string_view key_id, std::string_view nonce, std::int64_t expires_at_s,
                   std::int64_t now_s);

  /// `remember` for a pair given by its `hash` (as restored from storage).
  outcome remember_hash(std::uint64_t hash, std::int64_t expires_at_s, std::int64_t now_s);

  /// True if the pair is remembered: recorded and not yet dropped by an
  /// `expire` (or `remember`) at a time past its expiry.
  [[nodiscard]] bool contains(std::string_view key_id, std::string_view nonce) const noexcept;

  /// Drops every entry expired at `now_s` (expiry < now_s).
  void expire(std::int64_t now_s);

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  /// Bytes held for the entries (table and expiry lists, with their slack).
  [[nodiscard]] std::size_t memory_bytes() const noexcept;

private:
  [[nodiscard]] bool find(std::uint64_t hash) const noexcept;
  void insert(std::uint64_t hash);
  void erase(std::uint64_t hash) noexcept;
  void grow();

  std::size_t capacity_;
  nonce_hash_key key_;
  std::size_t size_ = 0;
  std::vector<std::uint64_t> slots_; // power-of-two size; 0 is an empty slot
  std::map<std::int64_t, std::vector<std::uint64_t>> by_expiry_; // second -> hashes
};

} // namespace nzl::security
