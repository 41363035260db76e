// stb_image is compiled here from Debian's header (libstb-dev) rather than
// linked from its libstb.so, so that we choose what it may do: only the four
// formats we need (less attack surface), a dimension cap, and an allocator
// that counts against a per-call budget. Debian's shared build offers none of
// these knobs.
#include "plugins/image_metadata/internal/stb_decoder.hpp"

#include <climits>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

namespace nzl::plugins::image_metadata::internal {
namespace {

// Budget of the decode running on this thread. `limit == 0` means no decode
// is running (the probe allocates nothing worth counting, but is bounded too).
thread_local std::size_t budget_limit = 0;
thread_local std::size_t budget_used = 0;

// Each block carries its size in a header so that free and realloc can give
// the budget back; 16 bytes keep the payload aligned for any type.
constexpr std::size_t header_bytes = 16;

void* budget_malloc(std::size_t size) {
  if (size > budget_limit || budget_used > budget_limit - size)
    return nullptr;
  auto* block = static_cast<unsigned char*>(std::malloc(size + header_bytes));
  if (block == nullptr)
    return nullptr;
  std::memcpy(block, &size, sizeof size);
  budget_used += size;
  return block + header_bytes;
}

void budget_free(void* p) {
  if (p == nullptr)
    return;
  auto* block = static_cast<unsigned char*>(p) - header_bytes;
  std::size_t size = 0;
  std::memcpy(&size, block, sizeof size);
  budget_used -= size;
  std::free(block);
}

void* budget_realloc(void* p, std::size_t size) {
  if (p == nullptr)
    return budget_malloc(size);
  auto* block = static_cast<unsigned char*>(p) - header_bytes;
  std::size_t old = 0;
  std::memcpy(&old, block, sizeof old);
  if (size > old && (size - old > budget_limit || budget_used > budget_limit - (size - old)))
    return nullptr;
  auto* grown = static_cast<unsigned char*>(std::realloc(block, size + header_bytes));
  if (grown == nullptr)
    return nullptr;
  std::memcpy(grown, &size, sizeof size);
  budget_used = budget_used - old + size;
  return grown + header_bytes;
}

// Sets the budget for one call on this thread and clears it afterwards.
class budget_scope {
public:
  explicit budget_scope(std::size_t limit) {
    budget_limit = limit;
    budget_used = 0;
  }
  ~budget_scope() { budget_limit = 0; }
  budget_scope(const budget_scope&) = delete;
  budget_scope& operator=(const budget_scope&) = delete;
};

} // namespace
} // namespace nzl::plugins::image_metadata::internal

#define STBI_MALLOC(sz) ::nzl::plugins::image_metadata::internal::budget_malloc(sz)
#define STBI_REALLOC(p, sz) ::nzl::plugins::image_metadata::internal::budget_realloc(p, sz)
#define STBI_FREE(p) ::nzl::plugins::image_metadata::internal::budget_free(p)
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_ONLY_GIF
#define STBI_ONLY_BMP
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STBI_MAX_DIMENSIONS (1 << 24)
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
#include <stb/stb_image.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace nzl::plugins::image_metadata::internal {

namespace {

error decode_failed(std::string what) {
  return fail(errc::task_failed, "image cannot be decoded: " + what,
              {{"problem", "corrupt-image"}});
}

bool fits_int(std::string_view bytes) {
  return bytes.size() <= static_cast<std::size_t>(std::numeric_limits<int>::max());
}

} // namespace

result<stb_header> probe(std::string_view bytes) {
  if (!fits_int(bytes))
    return decode_failed("too large");
  // The probe reads headers only; a small budget is plenty.
  budget_scope scope(1 << 20);
  stb_header h;
  const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int len = static_cast<int>(bytes.size());
  if (stbi_info_from_memory(data, len, &h.width, &h.height, &h.channels) == 0)
    return decode_failed(stbi_failure_reason() ? stbi_failure_reason() : "unreadable header");
  h.sixteen_bit = stbi_is_16_bit_from_memory(data, len) != 0;
  return h;
}

result<rgb_pixels> decode_rgb(std::string_view bytes, std::size_t max_bytes) {
  if (!fits_int(bytes))
    return decode_failed("too large");
  budget_scope scope(max_bytes);
  int w = 0;
  int h = 0;
  int channels = 0;
  stbi_uc* pixels = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()),
                                          static_cast<int>(bytes.size()), &w, &h, &channels, 3);
  if (pixels == nullptr) {
    std::string reason = stbi_failure_reason() ? stbi_failure_reason() : "decoder failed";
    if (reason == "outofmem")
      return fail(errc::task_failed,
                  "decoding needs more than the memory limit of " + std::to_string(max_bytes) +
                      " bytes",
                  {{"problem", "image-too-large"}});
    return decode_failed(reason);
  }
  rgb_pixels out;
  out.width = w;
  out.height = h;
  out.data = {pixels, [](std::uint8_t* p) {
                budget_free(p);
              }};
  return out;
}

} // namespace nzl::plugins::image_metadata::internal
