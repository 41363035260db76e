#pragma once

#include "apps/cloudagent/args.hpp"
#include "apps/cloudagent/outcome.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace nzl::cli {

constexpr std::string_view default_node = "http://127.0.0.1:8081";
constexpr std::uint32_t default_timeout_ms = 10000;
constexpr std::uint32_t max_timeout_ms = 600000;

/// The process environment the CLI reads (NZL_NODE, NZL_API_KEY,
/// NZL_SIGNING_SECRET); injected so tests do not touch the real one.
struct environment {
  std::optional<std::string> node;
  std::optional<std::string> api_key;
  std::optional<std::string> signing_secret;

  /// Reads the three variables with getenv; an empty variable counts as unset.
  [[nodiscard]] static environment from_process();
};

/// Options every command accepts, before or after the command's name.
struct global_options {
  std::string node{default_node}; ///< base URL of the node, http or https
  std::string api_key;            ///< empty: none given
  std::string signing_secret;     ///< empty: requests are not signed
  std::string cacert;             ///< PEM file of trusted CAs for https (empty: system store)
  std::uint32_t timeout_ms = default_timeout_ms;
  bool json = false;       ///< print the node's JSON as is
  bool key_on_cli = false; ///< --key was given (visible in ps; warned about once)
};

/// The specs of the global options, for parse_args and --help.
[[nodiscard]] std::span<const option_spec> global_option_specs();

/// The defaults overridden by the environment.
[[nodiscard]] global_options defaults_from(const environment& env);

/// Applies the global options found in `args` to `options` (the command line
/// wins over the environment). Usage errors: a timeout out of 1..600000 ms,
/// an empty value.
[[nodiscard]] outcome<done> apply_global(const parsed_args& args, global_options& options);

} // namespace nzl::cli
