#pragma once

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string_view>

namespace nzl::plugins::image_metadata::internal {

/// What Exiv2 reads from an image's metadata blocks (no pixel is decoded).
struct exiv2_metadata {
  std::uint32_t width = 0; ///< as Exiv2 sees it (0 when it does not know)
  std::uint32_t height = 0;
  int bits_per_sample = 0; ///< Exif BitsPerSample (TIFF), 0 when absent
  nlohmann::json exif = nlohmann::json::object();
  nlohmann::json iptc = nlohmann::json::object();
  nlohmann::json xmp = nlohmann::json::object();
};

/// Reads EXIF (with GPS as signed decimal degrees and metres under
/// `exif.gps`, left out when `strip_gps`), IPTC and XMP with Exiv2. Only the
/// fields listed in docs/image-metadata.md are reported, strings as UTF-8,
/// absent fields left out. Every Exiv2 exception is caught here and becomes
/// `errc::task_failed`. Thread-safe (the XMP toolkit is initialised once,
/// with a lock).
[[nodiscard]] result<exiv2_metadata> read_metadata(std::string_view bytes, bool strip_gps);

} // namespace nzl::plugins::image_metadata::internal
