#pragma once

#include <map>
#include <string>
#include <sys/types.h>
#include <vector>

namespace nzl::cli::testing {

/// What a finished child printed and how it ended.
struct child_result {
  int exit_code = -1; ///< -1 if it did not exit normally
  int signal = 0;     ///< the signal that ended it, if any
  std::string out;
  std::string err;
};

/// The cloudagent binary run as a child with exactly `env` as its
/// environment, stdout and stderr captured, stdin /dev/null.
class child_process {
public:
  child_process(const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  /// Reads both pipes to their end and reaps the child.
  child_result wait();

private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  bool reaped_ = false;
};

/// Runs the binary to its end.
child_result run_cli(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env = {});

} // namespace nzl::cli::testing
