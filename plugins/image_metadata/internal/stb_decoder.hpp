#pragma once

#include "core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace nzl::plugins::image_metadata::internal {

/// Pixels decoded to 8-bit RGB, row by row, no padding.
struct rgb_pixels {
  int width = 0;
  int height = 0;
  std::unique_ptr<std::uint8_t, void (*)(std::uint8_t*)> data{nullptr, nullptr};
};

/// What stb_image's header probe says (no pixel is decoded).
struct stb_header {
  int width = 0;
  int height = 0;
  int channels = 0;
  bool sixteen_bit = false;
};

/// Probes a JPEG, PNG, GIF or BMP header with `stbi_info_from_memory`.
[[nodiscard]] result<stb_header> probe(std::string_view bytes);

/// Decodes to RGB. Every allocation the decoder makes on this thread is
/// counted against `max_bytes` (a failed allocation makes stb_image fail
/// cleanly), so a hostile file cannot take more memory than that, whatever
/// its headers claim. Only JPEG, PNG, GIF (first frame) and BMP are compiled
/// in; dimensions over 2^24 are refused by stb_image itself. Thread-safe.
/// Errors are `errc::task_failed`.
[[nodiscard]] result<rgb_pixels> decode_rgb(std::string_view bytes, std::size_t max_bytes);

} // namespace nzl::plugins::image_metadata::internal
