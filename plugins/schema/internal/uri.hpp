#pragma once

#include <string>
#include <string_view>

namespace nzl::schema::internal {

/// Resolves `ref` against `base` as RFC 3986 section 5.2 says. An empty base
/// leaves `ref` as it is.
[[nodiscard]] std::string resolve_uri(std::string_view base, std::string_view ref);

/// Splits "a#b" into "a" and "b"; `has_fragment` tells "a#" from "a".
struct split_uri {
  std::string resource;
  std::string fragment;
  bool has_fragment = false;
};
[[nodiscard]] split_uri split_fragment(std::string_view uri);

/// Decodes %XX escapes; invalid escapes are kept as they are.
[[nodiscard]] std::string percent_decode(std::string_view s);

} // namespace nzl::schema::internal
