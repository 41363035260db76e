#pragma once

#include "security/key_record.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace nzl::security {

// Keys are replicated between the nodes of a cluster by exchanging whole
// records and merging them. The merge is a join: commutative, associative and
// idempotent, so nodes that have seen the same records in any order, any
// number of times, hold byte-identical records, with no clock shared between
// them. It can only do so because no key change undoes another: a key is
// created once, then only revoked (earliest revocation wins), shortened
// (earliest expiry wins) or marked replaced (rotate).

/// The join of two records of the same key id. The created-once fields
/// (name, hash, scopes, rules, sealed secret, ...) come from the record that
/// sorts first by (created_at_ms, its stored form without the changeable
/// fields): the same choice on every node, even for a key that two nodes
/// created on their own (the bootstrap admin key). Then `revoked_at_ms` and
/// `expires_at_ms` are the earliest non-zero of the two, and `replaced_by`
/// the greater of the two (an empty one never wins).
/// Both must hold the same key (`key_hash`): a record whose hash differs
/// from the stored one under its id is refused by the caller, never merged.
[[nodiscard]] key_record merge_key_records(const key_record& a, const key_record& b);

/// `into` with the changeable fields (revocation, expiry, replaced_by)
/// joined with `other`'s as merge_key_records does; its other fields are
/// kept. For two records of one key under different ids (a bootstrap key
/// stored under a random id by an older version on each node), so that a
/// revocation on one node reaches the others' copies.
[[nodiscard]] key_record join_changes(const key_record& into, const key_record& other);

/// 64 bits of the SHA-256 of the record's stored form: equal on two nodes
/// exactly when the records are (with overwhelming probability).
[[nodiscard]] std::uint64_t key_fingerprint(const key_record& r);

/// Records are compared between nodes in this many buckets (by key id), so a
/// change makes only one bucket's records travel.
inline constexpr std::size_t key_buckets = 64;

/// The bucket of a key id: the same on every node (FNV-1a, not std::hash).
[[nodiscard]] std::size_t key_bucket(std::string_view id) noexcept;

/// The XOR of the fingerprints of each bucket's records: what two nodes
/// compare to find the buckets they disagree on. Kept up to date by
/// `replace` as records change.
class key_set_digest {
public:
  /// Takes `before` out (0 when the record is new) and puts `after` in.
  void replace(std::string_view id, std::uint64_t before, std::uint64_t after) noexcept {
    buckets_[key_bucket(id)] ^= before ^ after;
  }
  [[nodiscard]] const std::array<std::uint64_t, key_buckets>& buckets() const noexcept {
    return buckets_;
  }

private:
  std::array<std::uint64_t, key_buckets> buckets_{};
};

/// The id a bootstrap admin key gets (`k_` + 16 hex): derived from the key's
/// hash, so every node given the same bootstrap key names it alike and
/// replication sees one key, not one per node.
[[nodiscard]] std::string bootstrap_key_id(const key_digest& key_hash);

} // namespace nzl::security
