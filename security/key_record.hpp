#pragma once

#include "core/result.hpp"
#include "security/api_key.hpp"
#include "security/cidr.hpp"
#include "security/geo.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::security {

/// One permission a key can hold.
enum class scope : std::uint8_t {
  tasks_write = 1, ///< "tasks:write": submit and cancel tasks
  tasks_read = 2,  ///< "tasks:read": read tasks and results
  admin = 4,       ///< "admin": manage keys and the node; implies the others
};

/// A set of scopes as bit flags.
struct scope_set {
  std::uint8_t bits = 0;

  /// True if the set holds exactly this scope.
  [[nodiscard]] bool has(scope s) const noexcept {
    return (bits & static_cast<std::uint8_t>(s)) != 0;
  }
  /// True if the set grants `s`: holds it, or holds admin.
  [[nodiscard]] bool allows(scope s) const noexcept { return has(s) || has(scope::admin); }
  void add(scope s) noexcept {
    bits = static_cast<std::uint8_t>(bits | static_cast<std::uint8_t>(s));
  }
  [[nodiscard]] bool empty() const noexcept { return bits == 0; }
  friend bool operator==(scope_set, scope_set) = default;
};

/// "tasks:write", "tasks:read" or "admin" to a scope; nullopt otherwise.
[[nodiscard]] std::optional<scope> parse_scope(std::string_view text) noexcept;
/// The text of a scope.
[[nodiscard]] std::string_view to_string(scope s) noexcept;
/// A list of scope texts to a set; the first unknown one fails the list
/// (`errc::invalid_field`). Duplicates are allowed.
[[nodiscard]] result<scope_set> parse_scopes(const std::vector<std::string>& texts);
/// The texts of a set, in the order tasks:write, tasks:read, admin.
[[nodiscard]] std::vector<std::string> format_scopes(scope_set scopes);

/// Longest key name.
inline constexpr std::size_t max_key_name_length = 64;
/// Most entries in each of a key's IP and country lists.
inline constexpr std::size_t max_rules_per_key = 256;

/// True for 1..64 printable ASCII characters (space allowed, not at the ends).
[[nodiscard]] bool valid_key_name(std::string_view name) noexcept;

/// Everything the node stores about an API key. Never holds the key itself:
/// `key_hash` is its SHA-256, and the signing secret is sealed under the
/// node key (aes_gcm.hpp; seal it with the key id as associated data).
struct key_record {
  std::string id;                    ///< "k_" + 16 hex
  std::string name;                  ///< operator's label
  std::string prefix;                ///< first 12 characters of the key, shown in lists
  key_digest key_hash{};             ///< SHA-256 of the key
  scope_set scopes;                  ///< what the key may do
  std::string tier;                  ///< rate-limit tier name (rate_limiter.hpp)
  ip_rules ip;                       ///< per-key IP rules, checked after the global ones
  country_rules country;             ///< per-key country rules, after the global ones
  bool signature_required = false;   ///< refuse requests without a valid HMAC signature
  std::string signing_secret_sealed; ///< sealed bytes; empty if the key has no secret
  std::int64_t created_at_ms = 0;
  std::int64_t expires_at_ms = 0; ///< 0: never expires
  std::int64_t revoked_at_ms = 0; ///< 0: not revoked
  std::string replaced_by;        ///< id of the key that replaced this one on rotate, or ""

  /// True if the key may be used at `now_ms`: not revoked and not expired
  /// (expiry is exclusive: usable while now_ms < expires_at_ms).
  [[nodiscard]] bool usable_at(std::int64_t now_ms) const noexcept;

  /// The stored form: every field, the hash as hex and the sealed secret as
  /// base64. Version 1: `{"v":1, ...}`.
  [[nodiscard]] nlohmann::json to_storage_json() const;

  /// What `list` and `show` answer: id, name, prefix, scopes, tier, rules,
  /// signature_required, has_signing_secret, dates (unix ms and RFC 3339),
  /// replaced_by. Never the hash or the secret.
  [[nodiscard]] nlohmann::json to_public_json() const;

  /// Reads the stored form strictly: every field present with its type, no
  /// unknown field, id/name/prefix/tier/rules valid. `errc::storage_failed`
  /// otherwise (a stored record that does not load is damage, not user input).
  [[nodiscard]] static result<key_record> from_storage_json(const nlohmann::json& json);
};

} // namespace nzl::security
