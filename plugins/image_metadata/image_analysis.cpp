#include "plugins/image_metadata/image_analysis.hpp"

#include "plugins/image_metadata/internal/container.hpp"
#include "plugins/image_metadata/internal/exiv2_metadata.hpp"
#include "plugins/image_metadata/internal/stb_decoder.hpp"
#include "plugins/image_metadata/pixel_stats.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace nzl::plugins::image_metadata {

namespace {

error too_large(std::uint64_t width, std::uint64_t height, std::uint64_t max_pixels) {
  return fail(errc::task_failed,
              "image is " + std::to_string(width) + "x" + std::to_string(height) +
                  " pixels; the limit is " + std::to_string(max_pixels) + " pixels",
              {{"problem", "image-too-large"},
               {"width", width},
               {"height", height},
               {"max_pixels", max_pixels}});
}

double round4(double v) {
  return std::round(v * 10000.0) / 10000.0;
}

nlohmann::json to_json(const pixel_stats& s) {
  nlohmann::json histogram{{"bins", 8}};
  const char* names[3] = {"red", "green", "blue"};
  for (int ch = 0; ch < 3; ++ch) {
    auto& bins = histogram[names[ch]] = nlohmann::json::array();
    for (double f : s.histogram[ch])
      bins.push_back(round4(f));
  }
  std::array<std::uint8_t, 3> mean{};
  for (int ch = 0; ch < 3; ++ch)
    mean[ch] = static_cast<std::uint8_t>(std::lround(s.mean_rgb[ch]));
  nlohmann::json dominant = nlohmann::json::array();
  for (const auto& d : s.dominant)
    dominant.push_back({{"color", to_hex(d.rgb)}, {"fraction", round4(d.fraction)}});
  return {{"mean_brightness", std::round(s.mean_brightness * 100.0) / 100.0},
          {"mean_color", to_hex(mean)},
          {"histogram", std::move(histogram)},
          {"dominant_colors", std::move(dominant)},
          {"dhash", to_hex(s.dhash)}};
}

} // namespace

result<nlohmann::json> analyze_image(std::string_view bytes, const analysis_options& options) {
  if (bytes.empty())
    return fail(errc::task_failed, "image is empty (zero bytes)", {{"problem", "empty-image"}});
  if (bytes.size() > options.max_image_bytes)
    return fail(errc::task_failed,
                "image is " + std::to_string(bytes.size()) + " bytes; the limit is " +
                    std::to_string(options.max_image_bytes),
                {{"problem", "image-too-large"}, {"limit", options.max_image_bytes}});

  auto container = internal::read_container(bytes);
  if (!container)
    return std::move(container).err();
  const auto& c = *container;
  const auto over = [&](std::uint64_t w, std::uint64_t h) {
    return w * h > options.max_pixels;
  };
  if (over(c.width, c.height))
    return too_large(c.width, c.height, options.max_pixels);

  std::uint64_t width = c.width;
  std::uint64_t height = c.height;
  int bit_depth = c.bit_depth;
  std::uint64_t decode_pixels = width * height;
  if (internal::decodable(c.format)) {
    // stb_image may read dimensions its own way (GIF frames, BMP variants):
    // its view is the one that sizes the decode, so it is checked too.
    auto probe = internal::probe(bytes);
    if (!probe)
      return std::move(probe).err();
    if (over(static_cast<std::uint64_t>(probe->width), static_cast<std::uint64_t>(probe->height)))
      return too_large(static_cast<std::uint64_t>(probe->width),
                       static_cast<std::uint64_t>(probe->height), options.max_pixels);
    decode_pixels = std::max(decode_pixels, static_cast<std::uint64_t>(probe->width) *
                                                static_cast<std::uint64_t>(probe->height));
  }

  // Exiv2 reads no EXIF, IPTC or XMP from GIF and BMP (0.27 does not even
  // open GIFs from memory), so those get empty sections.
  auto md = c.format == internal::image_format::gif || c.format == internal::image_format::bmp
                ? result<internal::exiv2_metadata>(internal::exiv2_metadata{})
                : internal::read_metadata(bytes, options.strip_gps);
  if (!md)
    return std::move(md).err();
  if (over(md->width, md->height))
    return too_large(md->width, md->height, options.max_pixels);
  if (c.format == internal::image_format::tiff) {
    width = md->width;
    height = md->height;
    bit_depth = md->bits_per_sample;
    if (width == 0 || height == 0)
      return fail(errc::task_failed, "tiff image is corrupt: no dimensions",
                  {{"problem", "corrupt-image"}, {"format", "tiff"}});
  }

  nlohmann::json out{{"format", internal::name_of(c.format)},
                     {"mime_type", internal::mime_type_of(c.format)},
                     {"width", width},
                     {"height", height},
                     {"bit_depth", bit_depth},
                     {"channels", c.channels},
                     {"color_space", c.color_space},
                     {"has_alpha", c.has_alpha},
                     {"exif", std::move(md->exif)},
                     {"iptc", std::move(md->iptc)},
                     {"xmp", std::move(md->xmp)},
                     {"pixels", nullptr}};
  if (c.format == internal::image_format::tiff) {
    out.erase("channels");
    out.erase("color_space");
    out.erase("has_alpha");
  }

  if (options.pixels && internal::decodable(c.format)) {
    const std::size_t budget = static_cast<std::size_t>(decode_pixels * 16 + (4u << 20));
    auto decoded = internal::decode_rgb(bytes, budget);
    if (!decoded)
      return std::move(decoded).err();
    const rgb_view view{decoded->data.get(), decoded->width, decoded->height};
    out["pixels"] = to_json(compute_pixel_stats(view, std::clamp(options.dominant_colors, 1, 16)));
  }
  return out;
}

} // namespace nzl::plugins::image_metadata
