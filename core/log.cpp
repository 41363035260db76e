#include "core/log.hpp"

#include <atomic>
#include <chrono>
#include <string>
#include <unistd.h>

namespace nzl::log {

namespace {

std::atomic<int> current_level{static_cast<int>(level::info)};

std::string_view name_of(level lvl) {
  switch (lvl) {
  case level::debug:
    return "debug";
  case level::info:
    return "info";
  case level::warn:
    return "warn";
  case level::error:
    return "error";
  case level::off:
    return "off";
  }
  return "info";
}

} // namespace

bool parse_level(std::string_view text, level& out) noexcept {
  for (auto lvl : {level::debug, level::info, level::warn, level::error, level::off})
    if (text == name_of(lvl)) {
      out = lvl;
      return true;
    }
  return false;
}

void set_level(level lvl) noexcept {
  current_level.store(static_cast<int>(lvl), std::memory_order_relaxed);
}

bool enabled(level lvl) noexcept {
  return static_cast<int>(lvl) >= current_level.load(std::memory_order_relaxed) &&
         lvl != level::off;
}

namespace internal {

void begin_line(fmt::memory_buffer& line, level lvl, std::string_view event) {
  using namespace std::chrono;
  auto now = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  fmt::format_to(std::back_inserter(line), R"({{"ts":{}.{:06},"level":"{}","event":{})",
                 now / 1000000, now % 1000000, name_of(lvl), quote(event));
}

void end_line(fmt::memory_buffer& line) {
  line.push_back('}');
  line.push_back('\n');
  const char* data = line.data();
  size_t left = line.size();
  while (left > 0) {
    auto n = ::write(STDERR_FILENO, data, left);
    if (n <= 0)
      return; // a closed stderr must not take the node down
    data += n;
    left -= static_cast<size_t>(n);
  }
}

} // namespace internal

void write(level lvl, std::string_view event, std::string_view fields) {
  if (!enabled(lvl))
    return;
  fmt::memory_buffer line;
  internal::begin_line(line, lvl, event);
  if (!fields.empty()) {
    line.push_back(',');
    line.append(fields);
  }
  internal::end_line(line);
}

std::string quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (unsigned char c : text) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (c < 0x20)
        out += fmt::format("\\u{:04x}", c);
      else
        out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  return out;
}

} // namespace nzl::log
