#pragma once

#include "core/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace nzl::net::outbound {

/// An absolute http or https URL, split for a request.
struct url {
  std::string scheme;     ///< "http" or "https", lower case
  std::string host;       ///< lower case; an IPv6 literal without its brackets
  std::uint16_t port = 0; ///< explicit, or 80 / 443 by scheme
  std::string target;     ///< path and query, at least "/"; the fragment is dropped
  bool ipv6_literal = false;

  [[nodiscard]] bool tls() const noexcept { return scheme == "https"; }
  /// The Host header value: host, bracketed if IPv6, with ":port" unless default.
  [[nodiscard]] std::string authority() const;
  /// scheme://authority/target
  [[nodiscard]] std::string to_string() const;
};

/// Parses an absolute http(s) URL. errc::invalid_field for another scheme,
/// userinfo ("user@host"), an empty host, a port that is not 1..65535,
/// whitespace or control characters, or a percent sign in the host.
[[nodiscard]] result<url> parse_url(std::string_view text);

/// The URL a redirect's Location header points to, relative to `base`: an
/// absolute URL, a scheme-relative "//host/path", an absolute path "/path"
/// or a relative path "path" (resolved against base's directory).
[[nodiscard]] result<url> resolve_location(const url& base, std::string_view location);

} // namespace nzl::net::outbound
