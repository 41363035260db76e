#include "security/nonce_window.hpp"

#include "security/internal/encoding.hpp"
#include "security/internal/siphash.hpp"

#include <cstring>
#include <string>

namespace nzl::security {

namespace {

constexpr std::size_t min_slots = 64;
// Grow when more than 7 of 10 slots are taken.
constexpr std::size_t load_num = 7;
constexpr std::size_t load_den = 10;

} // namespace

std::optional<nonce_hash_key> generate_nonce_hash_key() noexcept {
  nonce_hash_key key{};
  if (!internal::random_bytes(key.data(), key.size()))
    return std::nullopt;
  return key;
}

nonce_window::nonce_window(std::size_t capacity, const nonce_hash_key& key)
    : capacity_(capacity == 0 ? 1 : capacity), key_(key) {}

std::uint64_t nonce_window::hash(std::string_view key_id, std::string_view nonce) const noexcept {
  // '\n' appears in neither a key id nor a valid nonce, so the joined text
  // of two different pairs differs.
  unsigned char stack[192];
  const std::size_t size = key_id.size() + 1 + nonce.size();
  std::string heap;
  unsigned char* buffer = stack;
  if (size > sizeof stack) {
    heap.resize(size);
    buffer = reinterpret_cast<unsigned char*>(heap.data());
  }
  std::memcpy(buffer, key_id.data(), key_id.size());
  buffer[key_id.size()] = '\n';
  std::memcpy(buffer + key_id.size() + 1, nonce.data(), nonce.size());
  const auto h = internal::siphash24(key_, buffer, size);
  return h == 0 ? 1 : h; // 0 marks an empty slot
}

bool nonce_window::find(std::uint64_t hash) const noexcept {
  if (slots_.empty())
    return false;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    if (slots_[i] == hash)
      return true;
    if (slots_[i] == 0)
      return false;
  }
}

void nonce_window::grow() {
  std::vector<std::uint64_t> old;
  old.swap(slots_);
  slots_.assign(old.empty() ? min_slots : old.size() * 2, 0);
  const std::size_t mask = slots_.size() - 1;
  for (auto h : old) {
    if (h == 0)
      continue;
    std::size_t i = h & mask;
    while (slots_[i] != 0)
      i = (i + 1) & mask;
    slots_[i] = h;
  }
}

void nonce_window::insert(std::uint64_t hash) {
  if ((size_ + 1) * load_den > slots_.size() * load_num)
    grow();
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = hash & mask;
  while (slots_[i] != 0)
    i = (i + 1) & mask;
  slots_[i] = hash;
  ++size_;
}

void nonce_window::erase(std::uint64_t hash) noexcept {
  if (slots_.empty())
    return;
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = hash & mask;
  while (slots_[i] != hash) {
    if (slots_[i] == 0)
      return;
    i = (i + 1) & mask;
  }
  // Backward-shift deletion: move later entries of the probe run into the
  // hole unless their home slot lies cyclically in (hole, entry].
  slots_[i] = 0;
  --size_;
  for (std::size_t j = (i + 1) & mask; slots_[j] != 0; j = (j + 1) & mask) {
    const std::size_t home = slots_[j] & mask;
    const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
    if (stays)
      continue;
    slots_[i] = slots_[j];
    slots_[j] = 0;
    i = j;
  }
}

void nonce_window::expire(std::int64_t now_s) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first < now_s) {
    for (auto h : by_expiry_.begin()->second)
      erase(h);
    by_expiry_.erase(by_expiry_.begin());
  }
}

nonce_window::outcome nonce_window::remember(std::string_view key_id, std::string_view nonce,
                                             std::int64_t expires_at_s, std::int64_t now_s) {
  return remember_hash(hash(key_id, nonce), expires_at_s, now_s);
}

nonce_window::outcome nonce_window::remember_hash(std::uint64_t hash, std::int64_t expires_at_s,
                                                  std::int64_t now_s) {
  if (hash == 0)
    hash = 1;
  expire(now_s);
  if (find(hash))
    return outcome::replay;
  if (size_ >= capacity_)
    return outcome::full;
  insert(hash);
  by_expiry_[expires_at_s].push_back(hash);
  return outcome::fresh;
}

bool nonce_window::contains(std::string_view key_id, std::string_view nonce) const noexcept {
  return find(hash(key_id, nonce));
}

std::size_t nonce_window::memory_bytes() const noexcept {
  // A map node holds the key, the vector and about four pointers.
  constexpr std::size_t node_bytes = sizeof(std::int64_t) + sizeof(std::vector<std::uint64_t>) + 32;
  std::size_t bytes = slots_.capacity() * sizeof(std::uint64_t);
  for (const auto& [second, hashes] : by_expiry_)
    bytes += node_bytes + hashes.capacity() * sizeof(std::uint64_t);
  return bytes;
}

} // namespace nzl::security
