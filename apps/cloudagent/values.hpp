#pragma once

#include "apps/cloudagent/outcome.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace nzl::cli {

/// Checks of single command-line values, done before anything is sent so a
/// typo fails fast with exit code 2. Semantic checks (a CIDR that parses, a
/// tier that exists) are the node's. All pure functions.

/// A duration "<n><unit>" with unit s, m, h or d ("30d", "12h", "90m",
/// "3600s"); a bare number is seconds. `what` names the option in errors.
/// At most `max_s` seconds.
[[nodiscard]] outcome<std::uint64_t> parse_duration_s(std::string_view text, std::string_view what,
                                                      std::uint64_t max_s);

/// A decimal integer in [min, max].
[[nodiscard]] outcome<std::uint64_t> parse_uint(std::string_view text, std::string_view what,
                                                std::uint64_t min, std::uint64_t max);

/// The scopes a key may hold ("tasks:write", "tasks:read", "admin").
[[nodiscard]] bool known_scope(std::string_view scope) noexcept;

/// A key name: 1..64 bytes, no control characters.
[[nodiscard]] outcome<done> check_key_name(std::string_view name);

/// An id that goes into a URL path ("k_abc"): 1..128 of [A-Za-z0-9_.-], and
/// not "." or "..", so it can never change the path it is put in.
[[nodiscard]] outcome<done> check_id(std::string_view id, std::string_view what);

/// An ISO 3166-1 alpha-2 country code, returned in upper case.
[[nodiscard]] outcome<std::string> parse_country(std::string_view text);

/// An address or CIDR for an IP rule: only a sanity check (1..64 of hex
/// digits, '.', ':' and '/'); the node parses it.
[[nodiscard]] outcome<done> check_cidr_text(std::string_view text);

/// A point in time for --since/--until: RFC 3339 text (passed on as given)
/// or a duration ago ("10m" = ten minutes before `now`), as RFC 3339 UTC.
[[nodiscard]] outcome<std::string> parse_time_point(std::string_view text, std::string_view what,
                                                    std::chrono::system_clock::time_point now);

/// RFC 3339 UTC text with second precision: "2024-05-01T12:00:00Z".
[[nodiscard]] std::string format_rfc3339(std::chrono::system_clock::time_point t);

/// Percent-encodes everything but RFC 3986 unreserved characters, for query
/// values.
[[nodiscard]] std::string percent_encode(std::string_view text);

} // namespace nzl::cli
