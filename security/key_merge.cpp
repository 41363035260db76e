#include "security/key_merge.hpp"

#include "security/internal/digest.hpp"
#include "security/internal/encoding.hpp"

#include <algorithm>

namespace nzl::security {

namespace {

// The stored form without the fields a key change may move, which decides
// whose created-once fields a merge keeps.
std::string created_once_text(const key_record& r) {
  auto doc = r.to_storage_json();
  doc.erase("revoked_at_ms");
  doc.erase("expires_at_ms");
  doc.erase("replaced_by");
  return doc.dump();
}

// The earliest of two times where 0 means "never".
std::int64_t earliest_set(std::int64_t a, std::int64_t b) noexcept {
  if (a == 0)
    return b;
  if (b == 0)
    return a;
  return std::min(a, b);
}

std::uint64_t first_64_bits(const unsigned char (&digest)[internal::sha256_size]) noexcept {
  std::uint64_t out = 0;
  for (std::size_t i = 0; i < 8; ++i)
    out = (out << 8) | digest[i];
  return out;
}

} // namespace

key_record join_changes(const key_record& into, const key_record& other) {
  key_record out = into;
  out.revoked_at_ms = earliest_set(into.revoked_at_ms, other.revoked_at_ms);
  out.expires_at_ms = earliest_set(into.expires_at_ms, other.expires_at_ms);
  out.replaced_by = std::max(into.replaced_by, other.replaced_by);
  return out;
}

key_record merge_key_records(const key_record& a, const key_record& b) {
  bool a_first = a.created_at_ms != b.created_at_ms ? a.created_at_ms < b.created_at_ms
                                                    : created_once_text(a) <= created_once_text(b);
  return join_changes(a_first ? a : b, a_first ? b : a);
}

std::uint64_t key_fingerprint(const key_record& r) {
  unsigned char digest[internal::sha256_size];
  if (!internal::sha256(r.to_storage_json().dump(), digest))
    return 0; // only if OpenSSL fails: the buckets then differ and resend
  return first_64_bits(digest);
}

std::size_t key_bucket(std::string_view id) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : id) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return static_cast<std::size_t>(h % key_buckets);
}

std::string bootstrap_key_id(const key_digest& key_hash) {
  std::string text = "noizylab bootstrap key\n";
  text.append(reinterpret_cast<const char*>(key_hash.data()), key_hash.size());
  unsigned char digest[internal::sha256_size];
  if (!internal::sha256(text, digest))
    std::fill(std::begin(digest), std::end(digest), 0);
  return "k_" + internal::to_hex(digest, 8);
}

} // namespace nzl::security
