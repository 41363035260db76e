#pragma once

#include "core/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace nzl::plugins::image_metadata::internal {

/// Image formats we recognise by their magic bytes.
enum class image_format : std::uint8_t { jpeg, png, gif, bmp, webp, tiff };

/// What a container's header says, read without decoding any pixels. For
/// TIFF only the format is known here (its dimensions live in IFD tags,
/// which Exiv2 reads); width and height are then 0.
struct container_info {
  image_format format = image_format::jpeg;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  int bit_depth = 0;       ///< bits per sample (per pixel for GIF); 0 when unknown
  int channels = 0;        ///< colour components incl. alpha; 0 when unknown
  std::string color_space; ///< "gray", "rgb", "cmyk", "indexed" or "" when unknown
  bool has_alpha = false;
};

[[nodiscard]] std::string_view name_of(image_format f) noexcept;      ///< "jpeg", ...
[[nodiscard]] std::string_view mime_type_of(image_format f) noexcept; ///< "image/jpeg", ...

/// True for the formats the pixel decoder (stb_image) handles.
[[nodiscard]] bool decodable(image_format f) noexcept;

/// Recognises the format and reads the header: the dimensions come from here
/// (and are checked against the pixel limit) before any decoder runs. A
/// header that is cut short, names zero dimensions, or a file that is
/// visibly truncated (a JPEG without EOI after its scan, a PNG without IEND,
/// a GIF without trailer, a RIFF or BMP shorter than it says) is
/// `errc::task_failed`; so is an unrecognised format.
[[nodiscard]] result<container_info> read_container(std::string_view bytes);

} // namespace nzl::plugins::image_metadata::internal
