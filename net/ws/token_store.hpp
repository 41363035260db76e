#pragma once

#include "core/result.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace nzl::net::ws {

/// Who a WebSocket session acts for: the API key that opened it (or that
/// asked for its token), and whether that key is an admin key.
struct ws_grant {
  std::string client = "anonymous";
  bool admin = false;
};

/// Short-lived, single-use tokens for browsers, which cannot set an
/// Authorization header on a WebSocket: `POST /v3/ws/tokens` (authenticated
/// by key) issues one; `GET /v3/ws?token=` redeems it once. 128 random bits
/// (OpenSSL's CSPRNG) as 32 hex characters; held in memory by SHA-256 digest
/// and compared in constant time; at most `max_tokens` live at once. Per node:
/// a token redeems only on the node that issued it, and a restart forgets
/// them all. Thread-safe (one mutex guarding the map; held for a lookup).
class token_store {
public:
  struct options {
    std::uint32_t ttl_ms = 60'000;
    std::size_t max_tokens = 10'000;
    std::function<std::int64_t()> now_ms; ///< unix ms; empty: the real clock
  };
  struct issued {
    std::string token;
    std::int64_t expires_at_ms = 0;
  };

  explicit token_store(options o);

  /// A new token for `grant`; `overloaded` when `max_tokens` are live.
  [[nodiscard]] result<issued> issue(ws_grant grant);

  /// The grant of `token` if it is live (and then never again), else nullopt.
  [[nodiscard]] std::optional<ws_grant> redeem(std::string_view token);

  [[nodiscard]] std::size_t live() const;

private:
  struct entry {
    std::array<unsigned char, 32> digest{};
    ws_grant grant;
    std::int64_t expires_at_ms = 0;
  };
  std::int64_t now() const;
  void purge_expired(std::int64_t now_ms);

  options options_;
  mutable std::mutex mutex_;                      // guards tokens_
  std::unordered_map<std::string, entry> tokens_; // by hex digest
};

} // namespace nzl::net::ws
