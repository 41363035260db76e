// A library without the entry symbol (a typo in its name): refused.
#include "common.hpp"

namespace {
const nzl_handler_desc handlers[] = {{"broken-missing", nullptr, broken::echo_run}};
const nzl_plugin_desc descriptor = {
    NZL_PLUGIN_ABI_VERSION, "broken-missing", "1.0", handlers, 1, nullptr, 0, broken::free_output};
} // namespace

extern "C" NZL_PLUGIN_EXPORT const nzl_plugin_desc* nzl_plugin_entry_v0(uint32_t) {
  return &descriptor;
}
