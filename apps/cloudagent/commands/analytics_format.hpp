#pragma once

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace nzl::cli {

/// True when `text` is a window the node's analytics accept: a whole number
/// of s, m or h, above zero and at most 24 h (as nzl::analytics::parse_window,
/// checked here so that a bad `--window` is a usage error and nothing is sent).
[[nodiscard]] inline bool valid_analytics_window(std::string_view text) noexcept {
  if (text.size() < 2 || text.size() > 8)
    return false;
  std::int64_t unit = 0;
  switch (text.back()) {
  case 's':
    unit = 1;
    break;
  case 'm':
    unit = 60;
    break;
  case 'h':
    unit = 3'600;
    break;
  default:
    return false;
  }
  std::int64_t n = 0;
  const auto digits = text.substr(0, text.size() - 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  return ec == std::errc{} && end == digits.data() + digits.size() && n > 0 &&
         n <= 24 * 3'600 / unit;
}

/// A number member with `digits` decimals ("0.8571", "198.656"), for the
/// analytics tables; `-` when absent or not a number.
[[nodiscard]] inline std::string fixed_of(const nlohmann::json& object, std::string_view name,
                                          int digits) {
  if (!object.is_object())
    return "-";
  auto it = object.find(name);
  if (it == object.end() || !it->is_number())
    return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, it->get<double>());
  return buf;
}

} // namespace nzl::cli
