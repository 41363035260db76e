#include "net/ws/token_store.hpp"

#include "core/time.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace nzl::net::ws {

namespace {

std::array<unsigned char, 32> digest_of(std::string_view text) {
  std::array<unsigned char, 32> d{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), d.data());
  return d;
}

std::string hex(const unsigned char* p, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(digits[p[i] >> 4]);
    out.push_back(digits[p[i] & 15]);
  }
  return out;
}

} // namespace

token_store::token_store(options o) : options_(std::move(o)) {}

std::int64_t token_store::now() const {
  return options_.now_ms ? options_.now_ms() : unix_ms_now();
}

void token_store::purge_expired(std::int64_t now_ms) {
  std::erase_if(tokens_, [now_ms](auto& kv) { return kv.second.expires_at_ms <= now_ms; });
}

result<token_store::issued> token_store::issue(ws_grant grant) {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1)
    return fail(errc::internal, "the random number generator failed");
  issued out;
  out.token = hex(raw, sizeof raw);
  auto t = now();
  out.expires_at_ms = t + options_.ttl_ms;
  entry e{digest_of(out.token), std::move(grant), out.expires_at_ms};
  std::lock_guard guard{mutex_};
  if (tokens_.size() >= options_.max_tokens) {
    purge_expired(t);
    if (tokens_.size() >= options_.max_tokens)
      return fail(errc::overloaded, "too many WebSocket tokens are outstanding; retry later");
  }
  auto key = hex(e.digest.data(), e.digest.size());
  tokens_.emplace(std::move(key), std::move(e));
  return out;
}

std::optional<ws_grant> token_store::redeem(std::string_view token) {
  if (token.size() != 32)
    return std::nullopt;
  // Looked up by digest (a timing difference in the map reveals nothing
  // about the token), then compared in constant time.
  auto d = digest_of(token);
  auto key = hex(d.data(), d.size());
  auto t = now();
  std::lock_guard guard{mutex_};
  auto it = tokens_.find(key);
  if (it == tokens_.end())
    return std::nullopt;
  bool same = CRYPTO_memcmp(it->second.digest.data(), d.data(), d.size()) == 0;
  bool live = it->second.expires_at_ms > t;
  auto grant = std::move(it->second.grant);
  tokens_.erase(it); // single use, and an expired one is gone too
  if (!same || !live)
    return std::nullopt;
  return grant;
}

std::size_t token_store::live() const {
  std::lock_guard guard{mutex_};
  return tokens_.size();
}

} // namespace nzl::net::ws
