#pragma once

#include "security/api_key.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

namespace nzl::security {

/// The slots of a credential_cache: the credential texts it holds, found
/// without SHA-256. Direct-mapped: a credential lives in one slot of
/// `slot_count`, chosen by SipHash-2-4 of its bytes under a random key made
/// for this object, and matches only when its bytes equal the slot's, compared
/// in constant time over the whole credential (CRYPTO_memcmp).
///
/// Why this is as safe as hashing every request: the slot index is a keyed
/// PRF of the text, so a near miss lands on an unrelated slot and its timing
/// tells nothing about any cached key; within a slot the comparison time
/// depends only on the length (public: every key has the same format). A hit
/// therefore needs the exact bytes of a key that was verified by digest
/// before, i.e. possession of the key. The texts are keys in clear, in memory
/// only (like the signing secrets the node already holds): each is wiped
/// (OPENSSL_cleanse) when its slot is reused, on clear() and on destruction.
/// Not thread-safe: one per thread.
class credential_slots {
public:
  static constexpr std::size_t slot_count = 64;
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  /// Makes the random hash key; without one (the CSPRNG failed) every find
  /// misses and nothing is stored.
  credential_slots() noexcept;
  ~credential_slots();
  credential_slots(const credential_slots&) = delete;
  credential_slots& operator=(const credential_slots&) = delete;

  /// The slot holding exactly `credential`, or `npos`.
  [[nodiscard]] std::size_t find(std::string_view credential) const noexcept;

  /// Stores `credential` in its slot, wiping what the slot held, and returns
  /// the slot; `npos` (nothing stored) for an empty credential, one longer
  /// than `max_credential_length`, or without a hash key.
  std::size_t store(std::string_view credential) noexcept;

  /// Wipes every slot.
  void clear() noexcept;

private:
  struct slot {
    std::size_t size = 0; ///< 0: empty
    std::array<char, max_credential_length> bytes{};
  };

  [[nodiscard]] std::size_t slot_of(std::string_view credential) const noexcept;

  std::array<std::uint8_t, 16> hash_key_{};
  bool usable_ = false;
  std::size_t used_ = 0; ///< slots stored since the last clear (0: nothing to wipe)
  std::array<slot, slot_count> slots_{};
};

/// A small cache from credential texts already verified to what they
/// verified as (the gateway: the key entry), so a key presented again skips
/// SHA-256 and the key store's lookup. Every entry belongs to one `version`
/// of the key set (security_service::keys_version()): a lookup or insert at
/// another version empties the cache first, so a revoked, rotated or new key
/// is never answered from an older set. See credential_slots for the safety
/// argument. Not thread-safe: one per thread (the gateway keeps one per io
/// thread, thread_local).
template <class Value> class credential_cache {
public:
  /// The value cached for `credential` at `version`, or nullptr. The pointer
  /// stays valid until the next insert() or clear() on this cache.
  [[nodiscard]] const Value* find(std::string_view credential, std::uint64_t version) noexcept {
    if (version != version_) {
      clear();
      version_ = version;
      return nullptr;
    }
    const auto i = slots_.find(credential);
    return i == credential_slots::npos ? nullptr : &values_[i];
  }

  /// Caches `value` for `credential` (verified at `version`), replacing what
  /// shared its slot.
  void insert(std::string_view credential, Value value, std::uint64_t version) {
    if (version != version_) {
      clear();
      version_ = version;
    }
    if (const auto i = slots_.store(credential); i != credential_slots::npos)
      values_[i] = std::move(value);
  }

  /// Forgets (and wipes) every credential.
  void clear() noexcept {
    slots_.clear();
    for (auto& v : values_)
      v = Value{};
  }

private:
  credential_slots slots_;
  std::array<Value, credential_slots::slot_count> values_{};
  std::uint64_t version_ = 0;
};

} // namespace nzl::security
