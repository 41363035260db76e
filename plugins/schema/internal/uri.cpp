#include "plugins/schema/internal/uri.hpp"

#include <cctype>
#include <optional>

namespace nzl::schema::internal {

namespace {

struct uri_parts {
  std::optional<std::string> scheme;
  std::optional<std::string> authority;
  std::string path;
  std::optional<std::string> query;
  std::optional<std::string> fragment;
};

uri_parts parse(std::string_view s) {
  uri_parts u;
  if (auto hash = s.find('#'); hash != std::string_view::npos) {
    u.fragment = std::string{s.substr(hash + 1)};
    s = s.substr(0, hash);
  }
  if (auto q = s.find('?'); q != std::string_view::npos) {
    u.query = std::string{s.substr(q + 1)};
    s = s.substr(0, q);
  }
  // A scheme is letters, digits, "+-." before the first ':' that comes
  // before any '/'.
  if (auto colon = s.find(':'); colon != std::string_view::npos && colon > 0) {
    bool ok = std::isalpha(static_cast<unsigned char>(s[0])) != 0;
    for (std::size_t i = 1; i < colon && ok; ++i) {
      auto c = static_cast<unsigned char>(s[i]);
      ok = std::isalnum(c) || c == '+' || c == '-' || c == '.';
    }
    if (ok) {
      u.scheme = std::string{s.substr(0, colon)};
      s = s.substr(colon + 1);
    }
  }
  if (s.starts_with("//")) {
    s = s.substr(2);
    auto slash = s.find('/');
    u.authority = std::string{s.substr(0, slash)};
    s = slash == std::string_view::npos ? std::string_view{} : s.substr(slash);
  }
  u.path = std::string{s};
  return u;
}

std::string remove_dot_segments(std::string_view in) {
  std::string out;
  while (!in.empty()) {
    if (in.starts_with("../")) {
      in.remove_prefix(3);
    } else if (in.starts_with("./")) {
      in.remove_prefix(2);
    } else if (in.starts_with("/./")) {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.starts_with("/../") || in == "/..") {
      in = in.size() == 3 ? std::string_view{"/"} : in.substr(3);
      if (auto p = out.rfind('/'); p != std::string::npos)
        out.erase(p);
      else
        out.clear();
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      auto start = in.starts_with('/') ? 1 : 0;
      auto next = in.find('/', start);
      auto seg = in.substr(0, next);
      out += seg;
      in = next == std::string_view::npos ? std::string_view{} : in.substr(next);
    }
  }
  return out;
}

std::string to_string(const uri_parts& u) {
  std::string out;
  if (u.scheme)
    out += *u.scheme + ":";
  if (u.authority)
    out += "//" + *u.authority;
  out += u.path;
  if (u.query)
    out += "?" + *u.query;
  if (u.fragment)
    out += "#" + *u.fragment;
  return out;
}

} // namespace

std::string resolve_uri(std::string_view base_text, std::string_view ref_text) {
  if (base_text.empty())
    return std::string{ref_text};
  auto r = parse(ref_text);
  auto b = parse(base_text);
  uri_parts t;
  if (r.scheme) {
    t = r;
    t.path = remove_dot_segments(r.path);
  } else {
    if (r.authority) {
      t.authority = r.authority;
      t.path = remove_dot_segments(r.path);
      t.query = r.query;
    } else {
      if (r.path.empty()) {
        t.path = b.path;
        t.query = r.query ? r.query : b.query;
      } else {
        if (r.path.starts_with('/')) {
          t.path = remove_dot_segments(r.path);
        } else {
          std::string merged;
          if (b.authority && b.path.empty()) {
            merged.append("/").append(r.path);
          } else {
            auto slash = b.path.rfind('/');
            merged = slash == std::string::npos ? r.path : b.path.substr(0, slash + 1) + r.path;
          }
          // URNs and other paths without a leading '/' keep their form.
          t.path = merged.starts_with('/') || b.authority ? remove_dot_segments(merged) : merged;
        }
        t.query = r.query;
      }
      t.authority = b.authority;
    }
    t.scheme = b.scheme;
  }
  t.fragment = r.fragment;
  return to_string(t);
}

split_uri split_fragment(std::string_view uri) {
  split_uri s;
  auto hash = uri.find('#');
  if (hash == std::string_view::npos) {
    s.resource = std::string{uri};
    return s;
  }
  s.resource = std::string{uri.substr(0, hash)};
  s.fragment = std::string{uri.substr(hash + 1)};
  s.has_fragment = true;
  return s;
}

std::string percent_decode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex(s[i + 1]);
      int lo = hex(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

} // namespace nzl::schema::internal
