// The command table: one entry per group; each group's commands are listed
// in its own file (commands/<group>.cpp).
#include "apps/cloudagent/commands/command.hpp"

#include <array>

namespace nzl::cli {

command_group report_group();  // commands/report.cpp
command_group monitor_group(); // commands/monitor.cpp

std::span<const command_group> command_groups() {
  static const std::array groups{status_group(), failover_group(), failback_group(),
                                 keys_group(),   audit_group(),    plugins_group(),
                                 report_group(), monitor_group(),  shell_group()};
  return groups;
}

} // namespace nzl::cli
