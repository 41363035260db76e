#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nzl {

/// Wall-clock now in unix milliseconds.
[[nodiscard]] std::int64_t unix_ms_now() noexcept;

/// RFC 3339 UTC text of unix milliseconds ("2026-11-28T04:20:22.123Z").
[[nodiscard]] std::string rfc3339(std::int64_t unix_ms);

/// Parses RFC 3339 ("2026-11-28T04:20:22Z"; fractions and numeric offsets
/// allowed) into unix milliseconds.
[[nodiscard]] std::optional<std::int64_t> parse_rfc3339(std::string_view text);

} // namespace nzl
