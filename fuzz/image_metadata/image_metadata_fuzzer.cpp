#include "plugins/image_metadata/image_analysis.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

// Small limits keep each run fast and bound memory: the point is that hostile
// headers are refused or decoded within the budget, never that they crash.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  nzl::plugins::image_metadata::analysis_options options;
  options.max_image_bytes = 1 << 20;
  options.max_pixels = 1 << 20;
  auto r = nzl::plugins::image_metadata::analyze_image(
      std::string_view(reinterpret_cast<const char*>(data), size), options);
  if (r)
    (void)r->dump(); // the answer must always serialise (valid UTF-8)
  return 0;
}
