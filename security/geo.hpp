#pragma once

#include "core/result.hpp"
#include "security/cidr.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct MMDB_s;

namespace nzl::security {

/// A MaxMind DB file (GeoIP2/GeoLite2 Country or City, or any database whose
/// records have `country.iso_code`), memory-mapped for the object's lifetime.
/// Lookups are read-only and safe from many threads at once.
class geo_db {
public:
  /// Opens and validates the database. Fails (`errc::invalid_field`) with a
  /// message naming the path if it cannot be read or is not a MaxMind DB.
  [[nodiscard]] static result<geo_db> open(const std::string& path);

  geo_db(geo_db&&) noexcept;
  geo_db& operator=(geo_db&&) noexcept;
  geo_db(const geo_db&) = delete;
  geo_db& operator=(const geo_db&) = delete;
  ~geo_db();

  /// The ISO 3166-1 alpha-2 code (upper case) of `ip`, or nullopt if the
  /// database has no record for it or the record has no valid code.
  [[nodiscard]] std::optional<std::string> country(const ip_address& ip) const;

private:
  geo_db() = default;
  struct mmdb_deleter {
    void operator()(MMDB_s* db) const noexcept;
  };
  std::unique_ptr<MMDB_s, mmdb_deleter> db_;
};

/// True for two ASCII upper-case letters ("DE", "US", also "T1" for Tor as
/// Cloudflare sends it: a letter and a digit).
[[nodiscard]] bool valid_country_code(std::string_view code) noexcept;

/// Upper-cases a two-character code and checks it; nullopt if invalid.
/// Use it on configured lists so "de" and "DE" mean the same.
[[nodiscard]] std::optional<std::string> normalize_country_code(std::string_view code);

/// Parses and normalizes a list of codes; the first bad one fails the list
/// (`errc::invalid_field`, `{"index": i}` in the extensions).
[[nodiscard]] result<std::vector<std::string>>
parse_country_codes(const std::vector<std::string>& codes);

/// The country of a request: from `db` when it is given, else from the
/// `CF-IPCountry` header value but only when `peer_trusted` (the direct peer
/// is a trusted proxy). "XX" (Cloudflare's "unknown") and invalid values give
/// nullopt.
[[nodiscard]] std::optional<std::string> resolve_country(const geo_db* db, const ip_address& client,
                                                         bool peer_trusted,
                                                         std::string_view cf_ipcountry);

/// The outcome of checking a country against `country_rules`.
struct country_decision {
  enum class kind : std::uint8_t {
    allowed,           ///< not denied, and the allow list is empty or has it
    denied,            ///< the country is on the deny list
    not_in_allow_list, ///< the allow list is not empty and lacks the country
                       ///< (an unknown country is never in it)
  };
  kind outcome = kind::allowed;
  [[nodiscard]] bool allowed() const noexcept { return outcome == kind::allowed; }
};

/// Allow and deny lists of normalized codes. Deny wins; an empty allow list
/// allows every country not denied, including an unknown one.
struct country_rules {
  std::vector<std::string> allow;
  std::vector<std::string> deny;

  [[nodiscard]] country_decision decide(const std::optional<std::string>& country) const;
  [[nodiscard]] bool empty() const noexcept { return allow.empty() && deny.empty(); }
};

} // namespace nzl::security
