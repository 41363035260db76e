#pragma once

#include "actors/operator/operator_hooks.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::actors::operator_shell {

/// One command of the operator shell, for dispatch, `help` and completion.
struct command_info {
  std::string_view name;  ///< first word(s): "queue", "config show", "keys create"
  std::string_view usage; ///< arguments: "NAME", "FROM [TO]", ""
  std::string_view help;
  std::size_t min_args = 0; ///< words after the name
  std::size_t max_args = 0;
};

/// Every command, in the order `help` lists them. The same table serves the
/// node (dispatch) and the shell (help, tab completion).
[[nodiscard]] std::span<const command_info> command_table() noexcept;

/// Bounds on a command: the shell refuses bigger ones before sending and the
/// node refuses them again.
constexpr std::size_t max_command_words = 16;
constexpr std::size_t max_word_bytes = 256;

/// The answer to one command: `status` 0 done, 1 the node refused or failed
/// (message in `error`), 2 usage (a bad or unknown command), 3 the node
/// refused the operator's identity.
struct command_reply {
  int status = 0;
  nlohmann::json body;
  std::string error;
};

/// The commands of the operator shell, as a plain class: parses the words,
/// calls the node's hooks and appends one audit record per command. No CAF:
/// the operator actor forwards to it, and the unit tests call it directly.
/// Thread-safe (stateless besides the hooks, which must be thread-safe).
class operator_commands {
public:
  explicit operator_commands(operator_hooks hooks);

  /// Runs `words` ("queue", "default") for `identity`; `done` is called
  /// exactly once, on any thread.
  void run(const std::string& identity, std::vector<std::string> words,
           std::function<void(command_reply)> done) const;

  /// Answers `words` with `status` and `error` without running them (the
  /// operator's proof did not verify: status 3; an old shell: status 2),
  /// and audits that under `identity`. `done` is called once, before this
  /// returns.
  void refuse(const std::string& identity, const std::vector<std::string>& words, int status,
              std::string error, const std::function<void(command_reply)>& done) const;

private:
  operator_hooks hooks_;
};

/// The command of `words`, matching two-word names first; nullptr if none.
/// `consumed` is set to the number of words of the name.
[[nodiscard]] const command_info* find_command(std::span<const std::string> words,
                                               std::size_t& consumed) noexcept;

/// What to tell an operator whose `words` name no command: the subcommands
/// when the first word starts two-word ones ("'keys' needs one of: keys
/// list, keys create NAME [SCOPE...], keys revoke ID"), else "unknown
/// command" with a pointer to help. The node and the shell say the same.
[[nodiscard]] std::string unknown_command_message(std::span<const std::string> words);

} // namespace nzl::actors::operator_shell
