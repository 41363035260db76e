// Generic rendering of operator answers: the node's JSON is the contract,
// so a new field shows up in the shell without a change here.
#include "apps/cloudagent/shell/render.hpp"

#include "apps/cloudagent/output.hpp"

#include <algorithm>
#include <vector>

namespace nzl::cli::shell {

namespace {

using nlohmann::json;

std::string cell(const json& v) {
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_null())
    return "-";
  if (v.is_boolean())
    return v.get<bool>() ? "yes" : "no";
  return dump(v);
}

std::string table_of(const json& rows) {
  // Objects come with sorted members: the name or id goes first anyway.
  std::vector<std::string> columns;
  for (const char* first : {"id", "name"})
    for (const auto& r : rows)
      if (r.is_object() && r.contains(first) &&
          std::find(columns.begin(), columns.end(), first) == columns.end())
        columns.emplace_back(first);
  for (const auto& r : rows)
    if (r.is_object())
      for (const auto& [k, v] : r.items())
        if (std::find(columns.begin(), columns.end(), k) == columns.end())
          columns.push_back(k);
  std::vector<std::string> headers;
  for (const auto& c : columns) {
    std::string h = c;
    for (auto& ch : h)
      ch = ch == '_' ? ' ' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    headers.push_back(h);
  }
  table t{headers};
  for (const auto& r : rows) {
    std::vector<std::string> cells;
    for (const auto& c : columns)
      cells.push_back(r.is_object() && r.contains(c) ? cell(r[c]) : "-");
    t.add_row(std::move(cells));
  }
  return t.render();
}

} // namespace

std::string render_answer(std::string_view command, const json& body) {
  if (command == "config show") {
    std::string text;
    std::string pretty = dump(body, 2);
    std::size_t at = 0;
    while (at <= pretty.size()) {
      auto end = pretty.find('\n', at);
      if (end == std::string::npos)
        end = pretty.size();
      text += sanitize(std::string_view{pretty}.substr(at, end - at)) + "\n";
      at = end + 1;
    }
    return text;
  }
  if (body.is_array())
    return table_of(body);
  if (!body.is_object())
    return sanitize(cell(body)) + "\n";
  std::size_t width = 0;
  const json* rows = nullptr;
  for (const auto& [k, v] : body.items()) {
    if (rows == nullptr && v.is_array() && !v.empty() && v.front().is_object()) {
      rows = &v;
      continue;
    }
    width = std::max(width, k.size());
  }
  std::string text;
  for (const auto& [k, v] : body.items()) {
    if (rows != nullptr && &v == rows)
      continue;
    text += sanitize(k + ":" + std::string(width - k.size() + 2, ' ') + cell(v)) + "\n";
  }
  if (rows != nullptr) {
    if (!text.empty())
      text += "\n";
    text += table_of(*rows);
  }
  return text;
}

} // namespace nzl::cli::shell
