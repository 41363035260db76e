#include "net/outbound/url.hpp"

#include "net/outbound/egress.hpp"

#include <algorithm>
#include <charconv>

namespace nzl::net::outbound {

namespace {

error bad_url(std::string_view text, const std::string& why) {
  return fail(errc::invalid_field, "URL '" + std::string{text} + "' is invalid: " + why,
              {{"url", std::string{text}}});
}

char lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string to_lower(std::string_view s) {
  std::string out{s};
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

bool printable_ascii(std::string_view s) noexcept {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool host_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

// Strips the fragment and makes sure the target starts with '/'.
std::string clean_target(std::string_view rest) {
  rest = rest.substr(0, rest.find('#'));
  if (rest.empty() || rest.front() != '/')
    return "/" + std::string{rest};
  return std::string{rest};
}

bool has_scheme(std::string_view s) noexcept {
  auto colon = s.find(':');
  if (colon == 0 || colon == std::string_view::npos)
    return false;
  for (std::size_t i = 0; i < colon; ++i) {
    char c = lower(s[i]);
    bool ok = (c >= 'a' && c <= 'z') ||
              (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok)
      return false;
  }
  return true;
}

} // namespace

std::string url::authority() const {
  std::string out = ipv6_literal ? "[" + host + "]" : host;
  if (port != (tls() ? 443 : 80))
    out += ":" + std::to_string(port);
  return out;
}

std::string url::to_string() const {
  return scheme + "://" + authority() + target;
}

result<url> parse_url(std::string_view text) {
  if (text.size() > 8192)
    return bad_url(text.substr(0, 64), "longer than 8192 characters");
  if (!printable_ascii(text))
    return bad_url(text, "it contains whitespace, control or non-ASCII characters");
  auto sep = text.find("://");
  if (sep == std::string_view::npos)
    return bad_url(text, "it is not an absolute http(s) URL");
  url u;
  u.scheme = to_lower(text.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https")
    return bad_url(text, "scheme '" + u.scheme + "' is not http or https");
  auto rest = text.substr(sep + 3);
  auto end = std::min(rest.find_first_of("/?#"), rest.size());
  auto authority = rest.substr(0, end);
  u.target = clean_target(rest.substr(end));
  if (authority.find('@') != std::string_view::npos)
    return bad_url(text, "credentials (user@host) are not allowed in URLs");
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return bad_url(text, "unterminated IPv6 literal");
    auto literal = authority.substr(1, close - 1);
    auto addr = ip_address::parse(literal);
    if (!addr || !addr->v6)
      return bad_url(text, "'" + std::string{literal} + "' is not an IPv6 address");
    u.host = addr->to_string();
    u.ipv6_literal = true;
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return bad_url(text, "unexpected characters after the IPv6 literal");
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    auto colon = authority.find(':');
    u.host = to_lower(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    if (u.host.empty())
      return bad_url(text, "the host is empty");
    if (!std::all_of(u.host.begin(), u.host.end(), host_char))
      return bad_url(text, "the host '" + u.host + "' has characters not allowed in a host name");
    // Resolvers read "127.1" or "0x7f.0.0.1" as addresses: allow only the
    // dotted-quad form, so that what the rules and the logs show is what is
    // called.
    bool numeric = std::all_of(u.host.begin(), u.host.end(),
                               [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
    if ((numeric || u.host.starts_with("0x")) && !ip_address::parse(u.host))
      return bad_url(text, "the host '" + u.host + "' is not a dotted-quad IPv4 address");
  }
  u.port = u.tls() ? 443 : 80;
  if (has_port) {
    unsigned port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || port_text.size() > 5 || ec != std::errc{} ||
        p != port_text.data() + port_text.size() || port == 0 || port > 65535)
      return bad_url(text, "port '" + std::string{port_text} + "' is not in 1..65535");
    u.port = static_cast<std::uint16_t>(port);
  }
  return u;
}

result<url> resolve_location(const url& base, std::string_view location) {
  if (location.empty())
    return bad_url(location, "the redirect location is empty");
  if (!printable_ascii(location))
    return bad_url(location, "it contains whitespace, control or non-ASCII characters");
  if (has_scheme(location))
    return parse_url(location);
  if (location.starts_with("//"))
    return parse_url(base.scheme + ":" + std::string{location});
  url out = base;
  if (location.front() == '/') {
    out.target = clean_target(location);
  } else if (location.front() == '?') {
    auto path = base.target.substr(0, base.target.find('?'));
    out.target = clean_target(path + std::string{location});
  } else if (location.front() == '#') {
    // Same resource.
  } else {
    auto path = base.target.substr(0, base.target.find('?'));
    out.target = clean_target(path.substr(0, path.rfind('/') + 1) + std::string{location});
  }
  return out;
}

} // namespace nzl::net::outbound
