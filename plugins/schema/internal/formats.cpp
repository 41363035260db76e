// Checks for the `format` values most schemas use. Applied only when format
// assertion is on (compile_options::assert_formats or the format-assertion
// vocabulary); otherwise `format` is an annotation. Unknown formats pass.

#include "plugins/schema/internal/keywords.hpp"
#include "plugins/schema/internal/regex.hpp"

#include <arpa/inet.h>
#include <cctype>
#include <string>
#include <string_view>

namespace nzl::schema::internal {

namespace {

bool digits(std::string_view s, std::size_t n) {
  if (s.size() != n)
    return false;
  for (char c : s)
    if (c < '0' || c > '9')
      return false;
  return true;
}

int num(std::string_view s) {
  int v = 0;
  for (char c : s)
    v = v * 10 + (c - '0');
  return v;
}

bool is_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s.substr(0, 4), 4) ||
      !digits(s.substr(5, 2), 2) || !digits(s.substr(8, 2), 2))
    return false;
  const int y = num(s.substr(0, 4));
  const int m = num(s.substr(5, 2));
  const int d = num(s.substr(8, 2));
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1)
    return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

bool is_time(std::string_view s) {
  // HH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  if (s.size() < 9 || s[2] != ':' || s[5] != ':' || !digits(s.substr(0, 2), 2) ||
      !digits(s.substr(3, 2), 2) || !digits(s.substr(6, 2), 2))
    return false;
  const int h = num(s.substr(0, 2));
  const int m = num(s.substr(3, 2));
  const int sec = num(s.substr(6, 2));
  std::size_t i = 8;
  if (i < s.size() && s[i] == '.') {
    const std::size_t start = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
      ++i;
    if (i == start)
      return false;
  }
  if (i >= s.size())
    return false;
  int off_h = 0;
  int off_m = 0;
  int sign = 0;
  if (s[i] == 'Z' || s[i] == 'z') {
    if (i + 1 != s.size())
      return false;
  } else if (s[i] == '+' || s[i] == '-') {
    auto off = s.substr(i + 1);
    if (off.size() != 5 || off[2] != ':' || !digits(off.substr(0, 2), 2) ||
        !digits(off.substr(3, 2), 2))
      return false;
    off_h = num(off.substr(0, 2));
    off_m = num(off.substr(3, 2));
    if (off_h > 23 || off_m > 59)
      return false;
    sign = s[i] == '+' ? 1 : -1;
  } else {
    return false;
  }
  if (h > 23 || m > 59 || sec > 60)
    return false;
  if (sec == 60) {
    // A leap second is 23:59:60 in UTC.
    int utc = h * 60 + m - sign * (off_h * 60 + off_m);
    utc = ((utc % 1440) + 1440) % 1440;
    return utc == 23 * 60 + 59;
  }
  return true;
}

bool is_date_time(std::string_view s) {
  if (s.size() < 20 || (s[10] != 'T' && s[10] != 't'))
    return false;
  return is_date(s.substr(0, 10)) && is_time(s.substr(11));
}

bool is_duration(std::string_view s) {
  if (s.size() < 2 || s[0] != 'P')
    return false;
  std::size_t i = 1;
  bool any = false;
  bool time = false;
  bool weeks = false;
  std::string_view order = "YMD";
  std::size_t pos = 0;
  while (i < s.size()) {
    if (s[i] == 'T') {
      if (time || i + 1 == s.size())
        return false;
      time = true;
      order = "HMS";
      pos = 0;
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
      ++i;
    if (i == start || i == s.size())
      return false;
    const char unit = s[i++];
    if (!time && unit == 'W') {
      weeks = true;
      any = true;
      continue;
    }
    // RFC 3339 appendix A: units run without gaps (no "P1Y2D", no "PT1H2S").
    auto at = order.find(unit, pos);
    if (at == std::string_view::npos || (pos > 0 && at != pos))
      return false;
    pos = at + 1;
    any = true;
  }
  if (weeks)
    return s.find_first_of("YMDTHS") == std::string_view::npos;
  return any && s.back() != 'T';
}

bool is_ipv4(std::string_view s) {
  int parts = 0;
  std::size_t i = 0;
  while (true) {
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9')
      ++i;
    const auto part = s.substr(start, i - start);
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0') || num(part) > 255)
      return false;
    ++parts;
    if (i == s.size())
      break;
    if (s[i] != '.' || parts == 4)
      return false;
    ++i;
  }
  return parts == 4;
}

bool is_ipv6(std::string_view s) {
  if (s.empty() || s.size() > 45)
    return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.')
      return false;
  // The embedded IPv4 part must be a valid dotted quad (inet_pton agrees).
  std::string text{s};
  unsigned char buf[16];
  return inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

bool is_hostname(std::string_view s, bool allow_unicode) {
  if (s.empty() || s.size() > 253)
    return false;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto dot = s.find('.', start);
    auto label =
        s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    if (label.size() >= 4 && label[2] == '-' && label[3] == '-' &&
        !(label.starts_with("xn") || label.starts_with("XN")))
      return false;
    for (char c : label) {
      const auto u = static_cast<unsigned char>(c);
      if (!(std::isalnum(u) || c == '-' || (allow_unicode && u >= 0x80)))
        return false;
    }
    if (dot == std::string_view::npos)
      break;
    start = dot + 1;
  }
  return true;
}

bool is_email(std::string_view s, bool allow_unicode) {
  auto at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == s.size())
    return false;
  auto local = s.substr(0, at);
  auto domain = s.substr(at + 1);
  if (local.size() >= 2 && local.front() == '"' && local.back() == '"') {
    // quoted local part: any printable but unescaped quote or backslash
  } else {
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
      return false;
    for (char c : local) {
      const auto u = static_cast<unsigned char>(c);
      if (!(std::isalnum(u) ||
            std::string_view{"!#$%&'*+-/=?^_`{|}~."}.find(c) != std::string_view::npos ||
            (allow_unicode && u >= 0x80)))
        return false;
    }
  }
  if (domain.front() == '[' && domain.back() == ']') {
    auto lit = domain.substr(1, domain.size() - 2);
    if (lit.starts_with("IPv6:"))
      return is_ipv6(lit.substr(5));
    return is_ipv4(lit);
  }
  return is_hostname(domain, allow_unicode);
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36)
    return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i])))
      return false;
  }
  return true;
}

bool uri_chars_ok(std::string_view s, bool iri) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u >= 0x80) {
      if (!iri)
        return false;
      continue;
    }
    if (u <= 0x20 || u == 0x7F ||
        std::string_view{"<>\"{}|\\^`"}.find(s[i]) != std::string_view::npos)
      return false;
    if (s[i] == '%' && (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
                        !std::isxdigit(static_cast<unsigned char>(s[i + 2]))))
      return false;
  }
  return true;
}

bool authority_ok(std::string_view rest) {
  // rest starts after "//"
  auto end = rest.find_first_of("/?#");
  auto auth = rest.substr(0, end);
  if (auto at = auth.rfind('@'); at != std::string_view::npos)
    auth = auth.substr(at + 1);
  if (auth.starts_with('[')) {
    auto close = auth.find(']');
    if (close == std::string_view::npos)
      return false;
    auto port = auth.substr(close + 1);
    return port.empty() || (port[0] == ':' && port.substr(1).find_first_not_of("0123456789") ==
                                                  std::string_view::npos);
  }
  if (auto colon = auth.rfind(':'); colon != std::string_view::npos) {
    auto port = auth.substr(colon + 1);
    if (port.find_first_not_of("0123456789") != std::string_view::npos)
      return false;
    auth = auth.substr(0, colon);
  }
  return auth.find_first_of("[]") == std::string_view::npos;
}

bool is_uri(std::string_view s, bool iri, bool reference) {
  if (!uri_chars_ok(s, iri))
    return false;
  auto colon = s.find(':');
  bool has_scheme = false;
  if (colon != std::string_view::npos && colon > 0 &&
      std::isalpha(static_cast<unsigned char>(s[0]))) {
    has_scheme = true;
    for (std::size_t i = 1; i < colon; ++i) {
      const auto u = static_cast<unsigned char>(s[i]);
      if (!(std::isalnum(u) || s[i] == '+' || s[i] == '-' || s[i] == '.')) {
        has_scheme = false;
        break;
      }
    }
  }
  if (!has_scheme && !reference)
    return false;
  auto rest = has_scheme ? s.substr(colon + 1) : s;
  if (rest.starts_with("//") && !authority_ok(rest.substr(2)))
    return false;
  if (!has_scheme) {
    // A relative reference's first segment must not hold a ':'.
    auto first = rest.substr(0, rest.find_first_of("/?#"));
    if (first.find(':') != std::string_view::npos)
      return false;
  }
  return s.find('#') == s.rfind('#');
}

bool is_uri_template(std::string_view s) {
  bool open = false;
  for (char c : s) {
    if (c == '{') {
      if (open)
        return false;
      open = true;
    } else if (c == '}') {
      if (!open)
        return false;
      open = false;
    }
  }
  return !open;
}

bool is_json_pointer(std::string_view s) {
  if (s.empty())
    return true;
  if (s[0] != '/')
    return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] == '~' && (i + 1 >= s.size() || (s[i + 1] != '0' && s[i + 1] != '1')))
      return false;
  return true;
}

bool is_relative_json_pointer(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9')
    ++i;
  if (i == 0 || (i > 1 && s[0] == '0'))
    return false;
  auto rest = s.substr(i);
  if (!rest.empty() && (rest[0] == '+' || rest[0] == '-'))
    return false;
  return rest == "#" || is_json_pointer(rest);
}

} // namespace

bool check_format(std::string_view name, const json& value) {
  if (!value.is_string())
    return true;
  const std::string_view s = value.get_ref<const std::string&>();
  if (name == "date-time")
    return is_date_time(s);
  if (name == "date")
    return is_date(s);
  if (name == "time")
    return is_time(s);
  if (name == "duration")
    return is_duration(s);
  if (name == "email")
    return is_email(s, false);
  if (name == "idn-email")
    return is_email(s, true);
  if (name == "hostname")
    return is_hostname(s, false);
  if (name == "idn-hostname")
    return is_hostname(s, true);
  if (name == "ipv4")
    return is_ipv4(s);
  if (name == "ipv6")
    return is_ipv6(s);
  if (name == "uri")
    return is_uri(s, false, false);
  if (name == "uri-reference")
    return is_uri(s, false, true);
  if (name == "iri")
    return is_uri(s, true, false);
  if (name == "iri-reference")
    return is_uri(s, true, true);
  if (name == "uri-template")
    return is_uri_template(s);
  if (name == "uuid")
    return is_uuid(s);
  if (name == "json-pointer")
    return is_json_pointer(s);
  if (name == "relative-json-pointer")
    return is_relative_json_pointer(s);
  if (name == "regex") {
    std::string why;
    return compile_pattern(std::string{s}, why).has_value();
  }
  return true;
}

} // namespace nzl::schema::internal
