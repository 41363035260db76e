#include "apps/cloudagent/values.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <limits>

namespace nzl::cli {

namespace {

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

bool is_alpha(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string quoted(std::string_view text) {
  // Values are echoed in errors; keep them short and printable.
  std::string out = "'";
  for (char c : text.substr(0, 64))
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  if (text.size() > 64)
    out += "...";
  return out + "'";
}

} // namespace

outcome<std::uint64_t> parse_uint(std::string_view text, std::string_view what, std::uint64_t min,
                                  std::uint64_t max) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || !is_digit(text.front()) || ec != std::errc{} ||
      end != text.data() + text.size() || value < min || value > max)
    return usage_error(std::string{what} + " must be a whole number in " + std::to_string(min) +
                       ".." + std::to_string(max) + ", not " + quoted(text));
  return value;
}

outcome<std::uint64_t> parse_duration_s(std::string_view text, std::string_view what,
                                        std::uint64_t max_s) {
  auto bad = [&] {
    return usage_error(std::string{what} + " must be a duration such as 3600s, 90m, 12h or 30d " +
                       "(at most " + std::to_string(max_s) + "s), not " + quoted(text));
  };
  if (text.empty())
    return bad();
  std::uint64_t unit = 1;
  std::string_view digits = text;
  switch (text.back()) {
  case 's':
    digits.remove_suffix(1);
    break;
  case 'm':
    unit = 60;
    digits.remove_suffix(1);
    break;
  case 'h':
    unit = 3600;
    digits.remove_suffix(1);
    break;
  case 'd':
    unit = 86400;
    digits.remove_suffix(1);
    break;
  default:
    break;
  }
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || !is_digit(digits.front()) || ec != std::errc{} ||
      end != digits.data() + digits.size())
    return bad();
  if (n > max_s / unit)
    return bad();
  return n * unit;
}

bool known_scope(std::string_view scope) noexcept {
  return scope == "tasks:write" || scope == "tasks:read" || scope == "admin";
}

outcome<done> check_key_name(std::string_view name) {
  if (name.empty() || name.size() > 64)
    return usage_error("--name must be 1 to 64 characters");
  if (std::any_of(name.begin(), name.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
    return usage_error("--name must not contain control characters");
  return done{};
}

outcome<done> check_id(std::string_view id, std::string_view what) {
  bool ok = !id.empty() && id.size() <= 128 && id != "." && id != ".." &&
            std::all_of(id.begin(), id.end(), [](char c) {
              return is_alpha(c) || is_digit(c) || c == '_' || c == '-' || c == '.';
            });
  if (!ok)
    return usage_error(std::string{what} + " " + quoted(id) +
                       " is not an id (letters, digits, '_', '-', '.')");
  return done{};
}

outcome<std::string> parse_country(std::string_view text) {
  if (text.size() != 2 || !is_alpha(text[0]) || !is_alpha(text[1]))
    return usage_error("a country must be a two-letter ISO 3166 code such as DE, not " +
                       quoted(text));
  std::string out{text};
  for (char& c : out)
    c = static_cast<char>(c >= 'a' ? c - 'a' + 'A' : c);
  return out;
}

outcome<done> check_cidr_text(std::string_view text) {
  bool ok = !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' ||
           c == ':' || c == '/';
  });
  if (!ok)
    return usage_error(quoted(text) + " is not an IP address or CIDR block");
  return done{};
}

std::string format_rfc3339(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  ::gmtime_r(&secs, &utc);
  char buf[32] = {};
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

outcome<std::string> parse_time_point(std::string_view text, std::string_view what,
                                      std::chrono::system_clock::time_point now) {
  // RFC 3339 starts with a four-digit year and a dash; anything else must be
  // a duration.
  if (text.size() >= 5 && std::all_of(text.begin(), text.begin() + 4, is_digit) && text[4] == '-') {
    bool printable = text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
                       return is_digit(c) || c == '-' || c == ':' || c == '.' || c == '+' ||
                              c == 'T' || c == 'Z' || c == 't' || c == 'z';
                     });
    if (!printable)
      return usage_error(std::string{what} + " must be RFC 3339 (2024-05-01T12:00:00Z) or a " +
                         "duration ago (10m), not " + quoted(text));
    return std::string{text};
  }
  // Ten years back is far enough for any audit log.
  auto ago = parse_duration_s(text, what, 10ull * 365 * 86400);
  if (!ago)
    return usage_error(std::string{what} + " must be RFC 3339 (2024-05-01T12:00:00Z) or a " +
                       "duration ago (10m), not " + quoted(text));
  return format_rfc3339(now - std::chrono::seconds(static_cast<std::int64_t>(*ago)));
}

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      auto b = static_cast<unsigned char>(c);
      out += '%';
      out += hex[b >> 4];
      out += hex[b & 15];
    }
  }
  return out;
}

} // namespace nzl::cli
