#include "security/credential_cache.hpp"

#include "security/internal/encoding.hpp"
#include "security/internal/siphash.hpp"

#include <cstring>
#include <openssl/crypto.h>

namespace nzl::security {

credential_slots::credential_slots() noexcept
    : usable_(internal::random_bytes(hash_key_.data(), hash_key_.size())) {}

credential_slots::~credential_slots() {
  clear();
  OPENSSL_cleanse(hash_key_.data(), hash_key_.size());
}

std::size_t credential_slots::slot_of(std::string_view credential) const noexcept {
  return internal::siphash24(hash_key_, reinterpret_cast<const unsigned char*>(credential.data()),
                             credential.size()) %
         slot_count;
}

std::size_t credential_slots::find(std::string_view credential) const noexcept {
  if (!usable_ || credential.empty() || credential.size() > max_credential_length)
    return npos;
  const auto i = slot_of(credential);
  const auto& s = slots_[i];
  // Lengths are public (every key has the same format); the bytes are
  // compared in time that does not depend on where they differ.
  if (s.size != credential.size() ||
      CRYPTO_memcmp(s.bytes.data(), credential.data(), credential.size()) != 0)
    return npos;
  return i;
}

std::size_t credential_slots::store(std::string_view credential) noexcept {
  if (!usable_ || credential.empty() || credential.size() > max_credential_length)
    return npos;
  const auto i = slot_of(credential);
  auto& s = slots_[i];
  OPENSSL_cleanse(s.bytes.data(), s.bytes.size());
  std::memcpy(s.bytes.data(), credential.data(), credential.size());
  s.size = credential.size();
  ++used_;
  return i;
}

void credential_slots::clear() noexcept {
  if (used_ == 0)
    return;
  for (auto& s : slots_) {
    OPENSSL_cleanse(s.bytes.data(), s.bytes.size());
    s.size = 0;
  }
  used_ = 0;
}

} // namespace nzl::security
