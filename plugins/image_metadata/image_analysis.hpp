#pragma once

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace nzl::plugins::image_metadata {

/// Limits and choices for one analysis.
struct analysis_options {
  std::size_t max_image_bytes = std::size_t{20} << 20; ///< larger inputs are refused
  std::uint64_t max_pixels = 40'000'000;               ///< width * height, checked before decoding
  bool strip_gps = false;                              ///< leave `exif.gps` out of the answer
  bool pixels = true;      ///< decode pixels for brightness, colours, dHash
  int dominant_colors = 5; ///< 1..16
};

/// The decoding path of the `image-metadata` task: takes the raw bytes of a
/// JPEG, PNG, GIF, BMP, WebP or TIFF and answers format, MIME type,
/// dimensions, bit depth, colour space, EXIF/IPTC/XMP (Exiv2) and, for JPEG,
/// PNG, GIF and BMP, pixel statistics (stb_image). The answer's shape is in
/// docs/image-metadata.md.
///
/// Order of checks, so that no decoder sees an input we have not sized: byte
/// count, format by magic bytes, container header (dimensions, truncation),
/// `max_pixels` against the container's and stb_image's header dimensions,
/// Exiv2 (dimensions checked again), and only then pixel decoding, with every
/// decoder allocation counted against 16 bytes per declared pixel + 4 MiB.
///
/// Empty, truncated, corrupt, oversized, over-dimensioned and non-image
/// inputs are `errc::task_failed` with an extension `problem` of
/// `empty-image`, `corrupt-image`, `image-too-large` or `unsupported-format`.
/// Never throws. Thread-safe.
[[nodiscard]] result<nlohmann::json> analyze_image(std::string_view bytes,
                                                   const analysis_options& options);

} // namespace nzl::plugins::image_metadata
