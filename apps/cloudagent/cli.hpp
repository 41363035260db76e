#pragma once

#include "apps/cloudagent/options.hpp"

#include <chrono>
#include <functional>
#include <ostream>
#include <span>
#include <string>

namespace nzl::cli {

/// Runs one `cloudagent` command line (argv without the program name) and
/// returns the process exit code (see exit_code). Output goes to `out`,
/// errors as "error: ..." lines to `err`. `now` is the wall clock (for
/// relative times such as `--since 10m`). Never throws for bad input.
[[nodiscard]] int run(std::span<const std::string> args, const environment& env, std::ostream& out,
                      std::ostream& err,
                      std::function<std::chrono::system_clock::time_point()> now = {});

} // namespace nzl::cli
