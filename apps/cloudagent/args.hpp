#pragma once

#include "apps/cloudagent/outcome.hpp"

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::cli {

/// One `--name [VALUE]` option of a command.
struct option_spec {
  std::string_view name;       ///< without the dashes: "scope"
  std::string_view value_name; ///< "S" for `--scope S`; empty for a flag
  std::string_view help;
  bool repeatable = false; ///< may be given more than once (values collect in order)
};

/// A command line split by `parse_args`.
struct parsed_args {
  /// Values by option name, in order; a flag has one empty value.
  std::map<std::string, std::vector<std::string>, std::less<>> values;
  std::vector<std::string> positionals;
  /// With `stop_at_positional`: the first positional and everything after it.
  std::vector<std::string> rest;
  bool help = false; ///< -h or --help was given

  [[nodiscard]] bool has(std::string_view name) const;
  /// The value of a non-repeatable option, or nullptr.
  [[nodiscard]] const std::string* value(std::string_view name) const;
  /// Every value of a repeatable option (empty if not given).
  [[nodiscard]] std::vector<std::string> all(std::string_view name) const;
};

/// Limits on a command line; argv is already bounded by the OS, these keep
/// what the CLI sends to the node reasonable.
constexpr std::size_t max_arg_bytes = 4096;
constexpr std::size_t max_repeats = 256;

/// Parses `--name value`, `--name=value`, flags, `-h`/`--help`, and `--`
/// (everything after it is positional). `specs` may be several lists (the
/// command's own options and the global ones). Errors (usage): an unknown
/// option, a missing value, a value given to a flag, a non-repeatable
/// option given twice, more than `max_positionals` positionals, an argument
/// over `max_arg_bytes`. With `stop_at_positional`, parsing stops at the
/// first positional, which goes with everything after it into `rest`.
[[nodiscard]] outcome<parsed_args> parse_args(std::span<const std::string> args,
                                              std::span<const std::span<const option_spec>> specs,
                                              std::size_t max_positionals,
                                              bool stop_at_positional = false);

/// The options as lines for --help: "  --scope S   help", aligned.
[[nodiscard]] std::string format_options(std::span<const option_spec> specs);

} // namespace nzl::cli
