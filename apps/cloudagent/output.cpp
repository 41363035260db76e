#include "apps/cloudagent/output.hpp"

#include <algorithm>

namespace nzl::cli {

std::string sanitize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x20 || b == 0x7f) {
      out += '?';
    } else if (b == 0xc2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
      out += '?'; // U+0080..U+009F, the C1 controls (CSI is U+009B)
      ++i;
    } else {
      out += static_cast<char>(b);
    }
  }
  return out;
}

std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  }));
}

table::table(std::vector<std::string> headers)
    : headers_(std::move(headers)), min_widths_(headers_.size(), 0) {}

void table::min_width(std::size_t column, std::size_t width) {
  if (column < min_widths_.size())
    min_widths_[column] = width;
}

void table::add_row(std::vector<std::string> cells) {
  for (auto& c : cells)
    c = sanitize(c);
  cells.resize(headers_.size(), "-");
  rows_.push_back(std::move(cells));
}

std::string table::render(bool with_header) const {
  std::vector<std::size_t> widths(headers_.size(), 0);
  for (std::size_t c = 0; c < headers_.size(); ++c) {
    widths[c] = std::max(min_widths_[c], display_width(headers_[c]));
    for (auto& row : rows_)
      widths[c] = std::max(widths[c], display_width(row[c]));
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      l += cells[c];
      if (c + 1 < cells.size())
        l.append(widths[c] - display_width(cells[c]) + 2, ' ');
    }
    out += l;
    out += '\n';
  };
  if (with_header)
    line(headers_);
  for (auto& row : rows_)
    line(row);
  return out;
}

std::string text_of(const nlohmann::json& object, std::string_view name,
                    std::string_view fallback) {
  if (!object.is_object())
    return std::string{fallback};
  auto it = object.find(name);
  if (it == object.end() || !it->is_string())
    return std::string{fallback};
  return it->get<std::string>();
}

std::string number_of(const nlohmann::json& object, std::string_view name,
                      std::string_view fallback) {
  if (!object.is_object())
    return std::string{fallback};
  auto it = object.find(name);
  if (it == object.end() || !it->is_number())
    return std::string{fallback};
  return it->dump();
}

std::string joined(const nlohmann::json& object, std::string_view name,
                   std::string_view separator) {
  std::string out;
  for (auto& item : array_of(object, name)) {
    if (!item.is_string())
      continue;
    if (!out.empty())
      out += separator;
    out += item.get<std::string>();
  }
  return out.empty() ? "-" : out;
}

const nlohmann::json& array_of(const nlohmann::json& object, std::string_view name) {
  static const nlohmann::json empty = nlohmann::json::array();
  if (!object.is_object())
    return empty;
  auto it = object.find(name);
  return it != object.end() && it->is_array() ? *it : empty;
}

std::string dump(const nlohmann::json& value, int indent) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

void printer::add_secret(std::string secret) {
  if (!secret.empty())
    secrets_.push_back(std::move(secret));
}

std::string printer::redact(std::string_view text) const {
  std::string out{text};
  for (auto& secret : secrets_) {
    for (auto pos = out.find(secret); pos != std::string::npos; pos = out.find(secret, pos + 10))
      out.replace(pos, secret.size(), "[redacted]");
  }
  return out;
}

void printer::out(std::string_view text) {
  out_ << redact(text);
}

void printer::err_line(std::string_view text) {
  err_ << redact(sanitize(text)) << '\n';
}

void printer::flush() {
  out_.flush();
  err_.flush();
}

} // namespace nzl::cli
