#include "net/json_body.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace nzl::net {

namespace {

bool iequals_prefix(std::string_view text, std::string_view prefix) noexcept {
  if (text.size() < prefix.size())
    return false;
  return std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Returns the byte offset where nesting first exceeds `max_depth`, or npos.
std::size_t find_excess_depth(std::string_view body, std::size_t max_depth) noexcept {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '{' || c == '[') {
      if (++depth > max_depth)
        return i;
    } else if ((c == '}' || c == ']') && depth > 0)
      --depth;
  }
  return std::string_view::npos;
}

void line_and_column(std::string_view body, std::size_t byte, std::size_t& line,
                     std::size_t& column) noexcept {
  line = 1;
  column = 1;
  for (std::size_t i = 0; i < byte && i < body.size(); ++i) {
    if (body[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
}

} // namespace

bool is_json_media_type(std::string_view content_type) noexcept {
  auto media = trim(content_type.substr(0, content_type.find(';')));
  if (!iequals_prefix(media, "application/"))
    return false;
  auto sub = media.substr(12);
  if (sub.size() == 4 && iequals_prefix(sub, "json"))
    return true;
  return sub.size() > 5 && iequals_prefix(sub.substr(sub.size() - 5), "+json");
}

result<nlohmann::json> parse_json_body(std::string_view body, std::size_t max_depth) {
  if (auto at = find_excess_depth(body, max_depth); at != std::string_view::npos) {
    std::size_t line = 0;
    std::size_t column = 0;
    line_and_column(body, at, line, column);
    return fail(errc::invalid_json,
                "JSON nests deeper than " + std::to_string(max_depth) + " levels at line " +
                    std::to_string(line) + ", column " + std::to_string(column),
                {{"line", line}, {"column", column}, {"byte", at}});
  }
  // Third-party exceptions are caught here, once, at the boundary: the parser
  // only says where it broke through its exception.
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based and points one past the offending character.
    std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
    std::size_t line = 0;
    std::size_t column = 0;
    line_and_column(body, at, line, column);
    std::string what = e.what();
    if (auto colon = what.find(": "); colon != std::string::npos)
      what = what.substr(colon + 2); // drop nlohmann's "[json.exception...] parse error at ..."
    return fail(errc::invalid_json,
                "malformed JSON at line " + std::to_string(line) + ", column " +
                    std::to_string(column) + ": " + what,
                {{"line", line}, {"column", column}, {"byte", at}});
  }
}

std::string to_json_text(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace nzl::net
