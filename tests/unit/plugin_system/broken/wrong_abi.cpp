// A plugin that speaks a future ABI version: refused.
#include "common.hpp"

namespace {
const nzl_handler_desc handlers[] = {{"broken-future", nullptr, broken::echo_run}};
const nzl_plugin_desc descriptor = {
    NZL_PLUGIN_ABI_VERSION + 1, "broken-wrong-abi", "9.0", handlers, 1, nullptr, 0,
    broken::free_output};
} // namespace

extern "C" NZL_PLUGIN_EXPORT const nzl_plugin_desc* NZL_PLUGIN_ENTRY(uint32_t) {
  return &descriptor;
}
