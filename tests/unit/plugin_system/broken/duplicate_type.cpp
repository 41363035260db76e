// A plugin that claims the built-in type "echo": refused.
#include "common.hpp"

namespace {
const nzl_handler_desc handlers[] = {{"echo", nullptr, broken::echo_run}};
const nzl_plugin_desc descriptor = {
    NZL_PLUGIN_ABI_VERSION, "broken-duplicate", "1.0", handlers, 1, nullptr, 0,
    broken::free_output};
} // namespace

extern "C" NZL_PLUGIN_EXPORT const nzl_plugin_desc* NZL_PLUGIN_ENTRY(uint32_t) {
  return &descriptor;
}
