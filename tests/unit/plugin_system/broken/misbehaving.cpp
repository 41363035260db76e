// A plugin that loads but misbehaves at run time. Its handlers must each
// become a problem for the client, never a crash:
// - broken-throw lets a C++ exception escape (forbidden by the ABI rules; the
//   host catches it when the toolchains agree, as here),
// - broken-garbage returns text that is not JSON,
// - broken-error returns a well-formed error object,
// - broken-silent returns an error without an error object.
#include "common.hpp"

#include <stdexcept>

namespace {

int throw_run(void*, const nzl_host_api*, nzl_host_ctx*, const char*, std::size_t, nzl_output*) {
  throw std::runtime_error("boom from the broken plugin");
}

int garbage_run(void*, const nzl_host_api*, nzl_host_ctx*, const char*, std::size_t,
                nzl_output* out) {
  return broken::put(out, "this is {not json", NZL_PLUGIN_OK);
}

int error_run(void*, const nzl_host_api*, nzl_host_ctx*, const char*, std::size_t,
              nzl_output* out) {
  return broken::put(out,
                     R"({"status":400,"code":"invalid_field","detail":"payload.x must be set",)"
                     R"("extensions":{"field":"payload.x"}})",
                     NZL_PLUGIN_ERROR);
}

int silent_run(void*, const nzl_host_api*, nzl_host_ctx*, const char*, std::size_t,
               nzl_output* out) {
  out->data = nullptr;
  return NZL_PLUGIN_ERROR;
}

const nzl_handler_desc handlers[] = {
    {"broken-throw", nullptr, throw_run},
    {"broken-garbage", nullptr, garbage_run},
    {"broken-error", nullptr, error_run},
    {"broken-silent", nullptr, silent_run},
};
const nzl_plugin_desc descriptor = {
    NZL_PLUGIN_ABI_VERSION, "broken-misbehaving", "1.0", handlers, 4, nullptr, 0,
    broken::free_output};

} // namespace

extern "C" NZL_PLUGIN_EXPORT const nzl_plugin_desc* NZL_PLUGIN_ENTRY(uint32_t) {
  return &descriptor;
}
