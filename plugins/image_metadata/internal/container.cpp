#include "plugins/image_metadata/internal/container.hpp"

namespace nzl::plugins::image_metadata::internal {

namespace {

std::uint32_t u8(std::string_view b, std::size_t i) {
  return static_cast<unsigned char>(b[i]);
}
std::uint32_t be16(std::string_view b, std::size_t i) {
  return (u8(b, i) << 8) | u8(b, i + 1);
}
std::uint32_t le16(std::string_view b, std::size_t i) {
  return u8(b, i) | (u8(b, i + 1) << 8);
}
std::uint32_t be32(std::string_view b, std::size_t i) {
  return (be16(b, i) << 16) | be16(b, i + 2);
}
std::uint32_t le32(std::string_view b, std::size_t i) {
  return le16(b, i) | (le16(b, i + 2) << 16);
}
std::uint32_t le24(std::string_view b, std::size_t i) {
  return le16(b, i) | (u8(b, i + 2) << 16);
}

error corrupt(std::string_view format, std::string what) {
  return fail(errc::task_failed, std::string(format) + " image is corrupt or truncated: " + what,
              {{"problem", "corrupt-image"}, {"format", format}});
}

// Every DHT table must list at most 256 codes in total, within the segment.
// stb_image 2.27 (Debian 12) writes past its tables when a DHT lists more, so
// such files never reach it.
bool huffman_tables_ok(std::string_view seg) {
  std::size_t i = 0;
  while (i < seg.size()) {
    if (i + 17 > seg.size())
      return false;
    const auto cls = u8(seg, i) >> 4;
    const auto id = u8(seg, i) & 15;
    if (cls > 1 || id > 3)
      return false;
    std::size_t total = 0;
    for (std::size_t k = 1; k <= 16; ++k)
      total += u8(seg, i + k);
    if (total > 256 || i + 17 + total > seg.size())
      return false;
    i += 17 + total;
  }
  return true;
}

// Position of the first marker after entropy-coded data starting at `i`
// (FF00 is a stuffed byte, FFD0-FFD7 restart markers), or b.size().
std::size_t skip_entropy_coded(std::string_view b, std::size_t i) {
  while (i + 1 < b.size()) {
    if (u8(b, i) == 0xFF) {
      const auto next = u8(b, i + 1);
      if (next != 0x00 && next != 0xFF && !(next >= 0xD0 && next <= 0xD7))
        return i;
    }
    ++i;
  }
  return b.size();
}

// Walks every segment up to EOI: frame header, Huffman tables (also those
// between the scans of a progressive file) and truncation.
result<container_info> read_jpeg(std::string_view b) {
  container_info info;
  info.format = image_format::jpeg;
  std::size_t i = 2;
  bool have_frame = false;
  while (true) {
    // Markers may be preceded by fill bytes (0xFF).
    while (i < b.size() && u8(b, i) != 0xFF)
      ++i;
    while (i < b.size() && u8(b, i) == 0xFF)
      ++i;
    if (i >= b.size())
      return corrupt("jpeg", "ends without an end-of-image marker (truncated)");
    const auto marker = u8(b, i++);
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
      continue; // no length
    if (marker == 0xD9) {
      if (!have_frame)
        return corrupt("jpeg", "end of image before any scan");
      return info;
    }
    if (i + 2 > b.size())
      return corrupt("jpeg", "segment length cut short");
    const auto length = be16(b, i);
    if (length < 2 || i + length > b.size())
      return corrupt("jpeg", "segment longer than the file");
    const bool sof =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof && !have_frame) {
      if (length < 8)
        return corrupt("jpeg", "frame header too short");
      info.bit_depth = static_cast<int>(u8(b, i + 2));
      info.height = be16(b, i + 3);
      info.width = be16(b, i + 5);
      info.channels = static_cast<int>(u8(b, i + 7));
      info.color_space = info.channels == 1 ? "gray" : info.channels == 4 ? "cmyk" : "rgb";
      have_frame = true;
    }
    if (marker == 0xC4 && !huffman_tables_ok(b.substr(i + 2, length - 2)))
      return corrupt("jpeg", "invalid Huffman table");
    i += length;
    if (marker == 0xDA) {
      if (!have_frame)
        return corrupt("jpeg", "scan before frame header");
      i = skip_entropy_coded(b, i);
      if (i >= b.size())
        return corrupt("jpeg", "no end-of-image marker (truncated)");
    }
  }
}

result<container_info> read_png(std::string_view b) {
  if (b.size() < 33 || b.substr(12, 4) != "IHDR" || be32(b, 8) != 13)
    return corrupt("png", "no IHDR chunk");
  container_info info;
  info.format = image_format::png;
  info.width = be32(b, 16);
  info.height = be32(b, 20);
  info.bit_depth = static_cast<int>(u8(b, 24));
  switch (u8(b, 25)) {
  case 0:
    info.channels = 1;
    info.color_space = "gray";
    break;
  case 2:
    info.channels = 3;
    info.color_space = "rgb";
    break;
  case 3:
    info.channels = 1;
    info.color_space = "indexed";
    break;
  case 4:
    info.channels = 2;
    info.color_space = "gray";
    info.has_alpha = true;
    break;
  case 6:
    info.channels = 4;
    info.color_space = "rgb";
    info.has_alpha = true;
    break;
  default:
    return corrupt("png", "unknown colour type");
  }
  if (b.size() < 45 || b.substr(b.size() - 8, 4) != "IEND")
    return corrupt("png", "no IEND chunk at the end (truncated)");
  return info;
}

result<container_info> read_gif(std::string_view b) {
  if (b.size() < 14)
    return corrupt("gif", "header cut short");
  container_info info;
  info.format = image_format::gif;
  info.width = le16(b, 6);
  info.height = le16(b, 8);
  info.bit_depth = static_cast<int>((u8(b, 10) & 7) + 1);
  info.channels = 1;
  info.color_space = "indexed";
  if (b.back() != ';')
    return corrupt("gif", "no trailer (truncated)");
  return info;
}

result<container_info> read_bmp(std::string_view b) {
  if (b.size() < 26)
    return corrupt("bmp", "header cut short");
  if (le32(b, 2) > b.size())
    return corrupt("bmp", "file shorter than its header says (truncated)");
  container_info info;
  info.format = image_format::bmp;
  const auto header = le32(b, 14);
  if (header == 12) {
    info.width = le16(b, 18);
    info.height = le16(b, 20);
    info.bit_depth = static_cast<int>(le16(b, 24));
  } else if (header >= 40 && b.size() >= 30) {
    const auto w = static_cast<std::int32_t>(le32(b, 18));
    const auto h = static_cast<std::int32_t>(le32(b, 22)); // negative: top-down rows
    if (w < 0 || h == INT32_MIN)
      return corrupt("bmp", "negative width");
    info.width = static_cast<std::uint32_t>(w);
    info.height = static_cast<std::uint32_t>(h < 0 ? -h : h);
    info.bit_depth = static_cast<int>(le16(b, 28));
  } else {
    return corrupt("bmp", "unknown header size");
  }
  info.channels = info.bit_depth == 32 ? 4 : 3;
  info.color_space = info.bit_depth <= 8 ? "indexed" : "rgb";
  return info;
}

result<container_info> read_webp(std::string_view b) {
  if (b.size() < 30)
    return corrupt("webp", "header cut short");
  if (static_cast<std::uint64_t>(le32(b, 4)) + 8 > b.size())
    return corrupt("webp", "file shorter than its RIFF size (truncated)");
  container_info info;
  info.format = image_format::webp;
  info.bit_depth = 8;
  info.color_space = "rgb";
  const auto chunk = b.substr(12, 4);
  if (chunk == "VP8X") {
    info.has_alpha = (u8(b, 20) & 0x10) != 0;
    info.width = le24(b, 24) + 1;
    info.height = le24(b, 27) + 1;
  } else if (chunk == "VP8 ") {
    if (b.substr(23, 3) != "\x9D\x01\x2A")
      return corrupt("webp", "bad VP8 start code");
    info.width = le16(b, 26) & 0x3FFF;
    info.height = le16(b, 28) & 0x3FFF;
  } else if (chunk == "VP8L") {
    if (u8(b, 20) != 0x2F)
      return corrupt("webp", "bad VP8L signature");
    const auto bits = le32(b, 21);
    info.width = (bits & 0x3FFF) + 1;
    info.height = ((bits >> 14) & 0x3FFF) + 1;
    info.has_alpha = ((bits >> 28) & 1) != 0;
  } else {
    return corrupt("webp", "unknown first chunk");
  }
  info.channels = info.has_alpha ? 4 : 3;
  return info;
}

} // namespace

std::string_view name_of(image_format f) noexcept {
  switch (f) {
  case image_format::jpeg:
    return "jpeg";
  case image_format::png:
    return "png";
  case image_format::gif:
    return "gif";
  case image_format::bmp:
    return "bmp";
  case image_format::webp:
    return "webp";
  case image_format::tiff:
    return "tiff";
  }
  return "unknown";
}

std::string_view mime_type_of(image_format f) noexcept {
  switch (f) {
  case image_format::jpeg:
    return "image/jpeg";
  case image_format::png:
    return "image/png";
  case image_format::gif:
    return "image/gif";
  case image_format::bmp:
    return "image/bmp";
  case image_format::webp:
    return "image/webp";
  case image_format::tiff:
    return "image/tiff";
  }
  return "application/octet-stream";
}

bool decodable(image_format f) noexcept {
  return f == image_format::jpeg || f == image_format::png || f == image_format::gif ||
         f == image_format::bmp;
}

result<container_info> read_container(std::string_view b) {
  auto info = [&]() -> result<container_info> {
    if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF")
      return read_jpeg(b);
    if (b.size() >= 8 && b.substr(0, 8) == "\x89PNG\r\n\x1A\n")
      return read_png(b);
    if (b.size() >= 6 && (b.substr(0, 6) == "GIF87a" || b.substr(0, 6) == "GIF89a"))
      return read_gif(b);
    if (b.size() >= 2 && b.substr(0, 2) == "BM")
      return read_bmp(b);
    if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP")
      return read_webp(b);
    if (b.size() >= 8 && (b.substr(0, 4) == std::string_view("II*\0", 4) ||
                          b.substr(0, 4) == std::string_view("MM\0*", 4))) {
      container_info t;
      t.format = image_format::tiff;
      return t;
    }
    return fail(errc::task_failed,
                "not an image in a supported format (jpeg, png, gif, bmp, webp, tiff)",
                {{"problem", "unsupported-format"}});
  }();
  if (info && info->format != image_format::tiff && (info->width == 0 || info->height == 0))
    return corrupt(name_of(info->format), "zero width or height");
  return info;
}

} // namespace nzl::plugins::image_metadata::internal
