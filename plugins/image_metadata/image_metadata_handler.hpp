#pragma once

#include "plugins/image_metadata/image_analysis.hpp"
#include "plugins/task_handler.hpp"

#include <functional>
#include <string>

namespace nzl::plugins::image_metadata {

/// Fetches the bytes at a URL (the node wires its egress-checked outbound
/// client here). Errors pass through to the client unchanged.
using fetch_function = std::function<result<std::string>(const std::string& url)>;

/// Construction options of the handler.
struct handler_options {
  std::size_t max_image_bytes = std::size_t{20} << 20; ///< decoded bytes, also for fetched URLs
  std::uint64_t max_pixels = 40'000'000;               ///< width * height
  fetch_function fetch;                                ///< empty: `url` payloads are refused
};

/// `image-metadata`: format, dimensions, EXIF/IPTC/XMP and pixel statistics
/// of one image (see `analyze_image` and docs/image-metadata.md).
///
/// Payload: exactly one of `{"image": "<base64>"}`, `{"url": "https://..."}`
/// (only with a fetch function) or `{"artifact": id}` (refused: this node has
/// no artifacts), plus optional `"options": {"strip_gps": bool, "pixels":
/// bool, "dominant_colors": 1..16}`.
///
/// Payload mistakes are `errc::invalid_field` (400); images that cannot be
/// analysed are `errc::task_failed` (422). Thread-safe; never throws.
class image_metadata_handler final : public task_handler {
public:
  explicit image_metadata_handler(handler_options options = {});

  std::string_view type() const noexcept override { return "image-metadata"; }
  result<nlohmann::json> run(nlohmann::json payload, handler_context& ctx) override;

private:
  handler_options options_;
};

} // namespace nzl::plugins::image_metadata
