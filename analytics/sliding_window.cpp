#include "analytics/sliding_window.hpp"

#include <charconv>

namespace nzl::analytics {

result<std::int64_t> parse_window(std::string_view text) {
  auto bad = [&] {
    return fail(errc::invalid_field, "window must be like 30s, 5m, 1h or 24h (at most 24h)",
                {{"field", "window"}});
  };
  if (text.size() < 2 || text.size() > 8)
    return bad();
  std::int64_t unit = 0;
  switch (text.back()) {
  case 's':
    unit = 1'000;
    break;
  case 'm':
    unit = 60'000;
    break;
  case 'h':
    unit = 3'600'000;
    break;
  default:
    return bad();
  }
  std::int64_t n = 0;
  const auto digits = text.substr(0, text.size() - 1);
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc{} || p != digits.data() + digits.size() || n <= 0 || n > max_window_ms / unit)
    return bad();
  return n * unit;
}

std::string window_text(std::int64_t window_ms) {
  if (window_ms % 3'600'000 == 0)
    return std::to_string(window_ms / 3'600'000) + "h";
  if (window_ms % 60'000 == 0)
    return std::to_string(window_ms / 60'000) + "m";
  return std::to_string(window_ms / 1'000) + "s";
}

std::size_t tier_for(std::int64_t window_ms) noexcept {
  for (std::size_t t = 0; t < tiers.size(); ++t)
    if (window_ms <= tiers[t].slot_ms * static_cast<std::int64_t>(tiers[t].slots))
      return t;
  return tiers.size() - 1;
}

} // namespace nzl::analytics
