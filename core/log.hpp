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

/// `fmt` convenience: `log::info("listening", R"("port":{})", port)`.
template <class... Args>
void emit(level lvl, std::string_view event, fmt::format_string<Args...> fields, Args&&... args) {
  if (enabled(lvl))
    write(lvl, event, fmt::format(fields, std::forward<Args>(args)...));
}

/// A JSON string literal for `text` (quotes and escapes included).
[[nodiscard]] std::string quote(std::string_view text);

} // namespace nzl::log
