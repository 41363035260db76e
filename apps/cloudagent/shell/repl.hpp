#pragma once

#include "apps/cloudagent/outcome.hpp"
#include "apps/cloudagent/output.hpp"
#include "apps/cloudagent/shell/operator_link.hpp"

#include <string>
#include <vector>

namespace nzl::cli::shell {

/// Splits a command line into words at spaces and tabs (no quoting: no
/// command takes an argument with spaces). At most max_command_words words.
[[nodiscard]] outcome<std::vector<std::string>> split_words(const std::string& line);

/// `help` or `help CMD` of the shell, from the node's command table.
[[nodiscard]] std::string help_text(const std::vector<std::string>& words);

/// Runs one command line on `link` and prints the answer (`--json`: the
/// node's JSON as is). The failure's exit code: 1 the node refused, 2 usage,
/// 3 the node is gone or did not answer.
[[nodiscard]] outcome<done> run_line(operator_link& link, const std::string& line, bool json,
                                     printer& print);

/// The interactive shell (libedit): line editing, history in
/// $HOME/.cloudagent_history (at most 1000 lines), tab completion of command
/// names and of queue and region names. Returns the exit code: 0 at EOF or
/// `quit`, 3 when the node went away.
[[nodiscard]] int run_repl(operator_link& link, const std::string& prompt, bool json,
                           printer& print);

} // namespace nzl::cli::shell
