#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::cli {

/// Text from the node made safe for a terminal: C0 and C1 control characters
/// (escape sequences could move the cursor or retitle the window) become
/// '?'. Valid UTF-8 otherwise passes unchanged.
[[nodiscard]] std::string sanitize(std::string_view text);

/// Columns a sanitized UTF-8 string takes (one per code point; wide CJK
/// characters are not measured).
[[nodiscard]] std::size_t display_width(std::string_view text);

/// A table with a header row, rendered with columns aligned by two spaces;
/// cells are sanitized. Rows with fewer cells are padded with "-".
class table {
public:
  explicit table(std::vector<std::string> headers);
  void add_row(std::vector<std::string> cells);
  /// Makes a column at least `width` wide, so pages of a stream printed as
  /// separate renders line up.
  void min_width(std::size_t column, std::size_t width);
  [[nodiscard]] std::size_t rows() const noexcept { return rows_.size(); }
  /// Header (unless `with_header` is false) and rows, each line ending in
  /// '\n'; no trailing spaces.
  [[nodiscard]] std::string render(bool with_header = true) const;
  void clear_rows() { rows_.clear(); }

private:
  std::vector<std::string> headers_;
  std::vector<std::size_t> min_widths_;
  std::vector<std::vector<std::string>> rows_;
};

/// Reading the node's JSON without trusting it: a missing member or one of
/// another type gives `fallback`, never an exception.
[[nodiscard]] std::string text_of(const nlohmann::json& object, std::string_view name,
                                  std::string_view fallback = "-");
/// A number member as text ("12", "0.4"); fallback when absent.
[[nodiscard]] std::string number_of(const nlohmann::json& object, std::string_view name,
                                    std::string_view fallback = "-");
/// An array of strings joined by `separator` ("-" when empty or absent).
[[nodiscard]] std::string joined(const nlohmann::json& object, std::string_view name,
                                 std::string_view separator = ",");
/// The member if it is an array, else an empty array.
[[nodiscard]] const nlohmann::json& array_of(const nlohmann::json& object, std::string_view name);

/// JSON as compact text; invalid UTF-8 is replaced instead of throwing.
[[nodiscard]] std::string dump(const nlohmann::json& value, int indent = -1);

/// Where a command writes. Every line goes through `redact`, so a secret the
/// operator passed in (the admin key, the signing secret) never reaches the
/// screen or a log even if the node echoes it.
class printer {
public:
  printer(std::ostream& out, std::ostream& err) : out_(out), err_(err) {}

  /// Text to replace by "[redacted]" in all output; empty strings are ignored.
  void add_secret(std::string secret);
  /// Writes `text` to stdout as is (after redaction); add '\n' yourself.
  void out(std::string_view text);
  /// One line to stderr, '\n' appended.
  void err_line(std::string_view text);
  void flush();

  [[nodiscard]] std::string redact(std::string_view text) const;

private:
  std::ostream& out_;
  std::ostream& err_;
  std::vector<std::string> secrets_;
};

} // namespace nzl::cli
