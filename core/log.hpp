#pragma once

#include <fmt/format.h>

#include <string_view>

namespace nzl::log {

enum class level : int { debug = 0, info = 1, warn = 2, error = 3, off = 4 };

/// Parses "debug", "info", "warn", "error" or "off".
[[nodiscard]] bool parse_level(std::string_view text, level& out) noexcept;

void set_level(level lvl) noexcept;
[[nodiscard]] bool enabled(level lvl) noexcept;

/// Writes one structured log line (a JSON object) to stderr with one write(2),
/// so lines from several threads never interleave. `fields` is the inside of
/// the object after the standard members, already JSON-encoded (it may be
/// empty); use `quote()` for strings. Never pass secrets.
void write(level lvl, std::string_view event, std::string_view fields = {});

namespace internal {
/// Appends `{"ts":...,"level":...,"event":...` to `line`.
void begin_line(fmt::memory_buffer& line, level lvl, std::string_view event);
/// Closes the object and writes the line with one write(2).
void end_line(fmt::memory_buffer& line);
} // namespace internal

/// `fmt` convenience: `log::emit(level::info, "listening", R"("port":{})", port)`.
/// Formats straight into the line's buffer (one pass, no temporary string):
/// the request log runs once per request.
template <class... Args>
void emit(level lvl, std::string_view event, fmt::format_string<Args...> fields, Args&&... args) {
  if (!enabled(lvl))
    return;
  fmt::memory_buffer line;
  internal::begin_line(line, lvl, event);
  if (fmt::string_view(fields).size() > 0) {
    line.push_back(',');
    fmt::format_to(std::back_inserter(line), fields, std::forward<Args>(args)...);
  }
  internal::end_line(line);
}

/// A JSON string literal for `text` (quotes and escapes included).
[[nodiscard]] std::string quote(std::string_view text);

} // namespace nzl::log
