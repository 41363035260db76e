#include "security/nonce_window.hpp"

namespace nzl::security {

nonce_window::nonce_window(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

std::string nonce_window::key_of(std::string_view key_id, std::string_view nonce) {
  // '\n' appears in neither a key id nor a valid nonce, so pairs never collide.
  std::string out;
  out.reserve(key_id.size() + 1 + nonce.size());
  out.append(key_id).push_back('\n');
  out.append(nonce);
  return out;
}

void nonce_window::expire(std::int64_t now_s) {
  auto end = by_expiry_.lower_bound(now_s);
  for (auto it = by_expiry_.begin(); it != end; ++it)
    entries_.erase(it->second);
  by_expiry_.erase(by_expiry_.begin(), end);
}

nonce_window::outcome nonce_window::remember(std::string_view key_id, std::string_view nonce,
                                             std::int64_t expires_at_s, std::int64_t now_s) {
  expire(now_s);
  std::string key = key_of(key_id, nonce);
  if (entries_.contains(key))
    return outcome::replay;
  if (entries_.size() >= capacity_)
    return outcome::full;
  entries_.emplace(key, expires_at_s);
  by_expiry_.emplace(expires_at_s, std::move(key));
  return outcome::fresh;
}

bool nonce_window::contains(std::string_view key_id, std::string_view nonce,
                            std::int64_t now_s) const {
  auto it = entries_.find(key_of(key_id, nonce));
  return it != entries_.end() && it->second >= now_s;
}

} // namespace nzl::security
