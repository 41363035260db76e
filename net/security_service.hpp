#pragma once

#include "core/result.hpp"
#include "security/api_key.hpp"
#include "security/cidr.hpp"
#include "security/geo.hpp"
#include "security/rate_limiter.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::net {

/// Scopes of an API key, as bit flags.
enum key_scope : unsigned {
  scope_tasks_read = 1u << 0,
  scope_tasks_write = 1u << 1,
  scope_admin = 1u << 2, ///< implies every other scope
};

/// An API key as the gateway checks it: built by the security service from
/// the stored record, with its rules parsed and its signing secret opened.
/// Immutable once published; shared between io threads.
struct key_entry {
  std::string id;
  std::string name;
  security::key_digest digest{};
  unsigned scopes = 0;
  std::string tier = "default";
  security::ip_rules ip;
  security::country_rules country;
  bool signature_required = false;
  std::string signing_secret;     ///< in clear, in memory only
  std::int64_t expires_at_ms = 0; ///< 0: never
  std::int64_t revoked_at_ms = 0; ///< 0: not revoked
};

/// What a new key should be (`POST /v3/admin/keys`), validated by net/.
struct key_spec {
  std::string name;
  unsigned scopes = scope_tasks_read | scope_tasks_write;
  std::string tier = "default";
  std::int64_t expires_in_s = 0; ///< 0: never expires
  bool signature_required = false;
  std::vector<std::string> ip_allow, ip_deny, country_allow, country_deny;
};

/// One line of the audit log.
struct audit_entry {
  std::int64_t time_ms = 0;
  std::string key_id;    ///< empty: no (valid) key
  std::string client_ip; ///< after trusted-proxy resolution
  std::string country;   ///< empty: unknown
  std::string method;
  std::string path;
  std::string task_type; ///< empty: not a task request, or not decoded
  int status = 0;
  double duration_ms = 0;
  std::string request_id;
  std::string rule; ///< the rule that refused the request; empty if none did
};

/// Filters of `GET /v3/admin/audit`.
struct audit_query {
  std::int64_t since_ms = 0;
  std::int64_t until_ms = 0; ///< 0: no upper bound
  std::string key_id;
  int status = 0; ///< 0: any
  std::size_t limit = 100;
  std::uint64_t after = 0; ///< the `next` cursor of a previous page
};

/// The gateway's state, as net/ reaches it (DESIGN: net never includes
/// actors/). Implemented by actors::security_store. The hot-path calls are
/// synchronous, in memory and thread-safe; the admin calls complete through
/// their callback on any thread.
class security_service {
public:
  using json_handler = std::function<void(result<nlohmann::json>)>;

  virtual ~security_service() = default;

  /// The key whose SHA-256 digest is `digest`, or nullptr.
  [[nodiscard]] virtual std::shared_ptr<const key_entry>
  find_key(const security::key_digest& digest) const = 0;

  /// The version of the key set find_key() answers from: it changes (after
  /// the change is visible to find_key) whenever a key is added, revoked or
  /// rotated, and is never the same for two services of one process. The
  /// gateway caches verified credentials per version (no SHA-256 per
  /// request); 0 (the default) means "no versions": nothing is cached.
  [[nodiscard]] virtual std::uint64_t keys_version() const noexcept { return 0; }

  enum class nonce_verdict { fresh, replay, full };
  /// Remembers `nonce` of `key_id` until `expires_at_s` (in memory at once,
  /// durably soon after); `replay` if it was seen and has not expired.
  [[nodiscard]] virtual nonce_verdict
  remember_nonce(std::string_view key_id, std::string_view nonce, std::int64_t expires_at_s) = 0;

  /// Signed requests with an X-Timestamp before this (unix seconds) are
  /// refused: nonces of the last moments before an unclean stop may not have
  /// reached the disk. 0 after a clean stop.
  [[nodiscard]] virtual std::int64_t replay_fence_s() const noexcept = 0;

  /// Takes `n` tokens from `bucket` under `tier`, atomically: concurrent
  /// takes of one bucket never exceed its quota.
  [[nodiscard]] virtual security::take_result
  take_tokens(std::string_view bucket, const security::rate_tier& tier, std::int64_t n) = 0;

  /// Appends one audit record (write-behind through the group commit).
  virtual void audit(audit_entry entry) = 0;

  // Administration (`/v3/admin/...`).
  virtual void create_key(key_spec spec, json_handler done) = 0;
  virtual void list_keys(json_handler done) = 0;
  virtual void revoke_key(std::string id, json_handler done) = 0;
  virtual void rotate_key(std::string id, std::int64_t grace_s, json_handler done) = 0;
  virtual void query_audit(audit_query query, json_handler done) = 0;
};

} // namespace nzl::net
