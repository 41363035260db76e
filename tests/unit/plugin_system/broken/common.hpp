// Shared by the deliberately broken test plugins: a malloc'ed output and a
// free function (the parts they get right).
#pragma once

#include "noizylab_plugin.h"

#include <cstdlib>
#include <cstring>
#include <string_view>

namespace broken {

inline int put(nzl_output* out, std::string_view text, int rc) {
  out->data = static_cast<char*>(std::malloc(text.size() + 1));
  out->size = text.size();
  std::memcpy(out->data, text.data(), text.size());
  return rc;
}

inline void free_output(char* data) {
  std::free(data);
}

inline int echo_run(void*, const nzl_host_api*, nzl_host_ctx*, const char* payload, std::size_t len,
                    nzl_output* out) {
  return put(out, std::string_view{payload, len}, NZL_PLUGIN_OK);
}

} // namespace broken
