#pragma once

#include "apps/cloudagent/args.hpp"
#include "apps/cloudagent/node_client.hpp"
#include "apps/cloudagent/options.hpp"
#include "apps/cloudagent/outcome.hpp"
#include "apps/cloudagent/output.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace nzl::cli {

/// What a command runs with: the options, where to print, the clock, and
/// the node client (made on first use, after all options are known).
class context {
public:
  context(global_options options, printer& print,
          std::function<std::chrono::system_clock::time_point()> now = {});

  global_options options;
  printer& print;
  std::function<std::chrono::system_clock::time_point()> now;

  /// The node client; usage error for a bad --node.
  [[nodiscard]] outcome<node_client*> node();

private:
  std::unique_ptr<node_client> node_;
};

/// One command of a group ("keys create"): its options, how many
/// positionals it takes, and the function that runs it with the parsed
/// command line. Adding a command is adding one of these to its group's
/// table.
struct subcommand {
  std::string_view name;
  std::string_view positionals; ///< for the usage line: "ID", or empty
  std::string_view summary;
  std::span<const option_spec> options;
  std::size_t min_positionals = 0;
  std::size_t max_positionals = 0;
  outcome<done> (*run)(context&, const parsed_args&) = nullptr;
};

/// A group of commands ("keys") and its one-line summary. `bare`, when
/// set, is the command run when no command name follows the group's
/// (`cloudagent status --all-regions`, `cloudagent report --format csv`);
/// its `name` is ignored.
struct command_group {
  std::string_view name;
  std::string_view summary;
  std::span<const subcommand> commands;
  const subcommand* bare = nullptr;
};

/// Every group, in the order --help lists them (commands/table.cpp).
[[nodiscard]] std::span<const command_group> command_groups();

/// The groups, each defined in its own file under commands/.
[[nodiscard]] command_group keys_group();
[[nodiscard]] command_group audit_group();
[[nodiscard]] command_group plugins_group();
[[nodiscard]] command_group status_group();   // commands/cluster.cpp
[[nodiscard]] command_group failover_group(); // commands/cluster.cpp
[[nodiscard]] command_group failback_group(); // commands/cluster.cpp
[[nodiscard]] command_group shell_group();    // commands/shell.cpp

/// Runs the node call and, with --json, prints the node's body as is.
/// Returns the parsed answer for the command to print as a table otherwise.
[[nodiscard]] outcome<node_answer> call_node(context& ctx, std::string_view method,
                                             std::string_view target,
                                             const nlohmann::json* body = nullptr);

} // namespace nzl::cli
