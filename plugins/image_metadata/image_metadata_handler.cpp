#include "plugins/image_metadata/image_metadata_handler.hpp"

#include "plugins/image_metadata/internal/base64.hpp"

#include <exception>

namespace nzl::plugins::image_metadata {

namespace {

error invalid(const std::string& field, const std::string& what) {
  return fail(errc::invalid_field, field + " " + what, {{"field", field}});
}

result<analysis_options> parse_options(const nlohmann::json& payload, const handler_options& h) {
  analysis_options o;
  o.max_image_bytes = h.max_image_bytes;
  o.max_pixels = h.max_pixels;
  auto it = payload.find("options");
  if (it == payload.end())
    return o;
  if (!it->is_object())
    return invalid("payload.options", "must be an object");
  for (auto f = it->begin(); f != it->end(); ++f) {
    const auto& key = f.key();
    if (key == "strip_gps" || key == "pixels") {
      if (!f->is_boolean())
        return invalid("payload.options." + key, "must be a boolean");
      (key == "strip_gps" ? o.strip_gps : o.pixels) = f->get<bool>();
    } else if (key == "dominant_colors") {
      if (!f->is_number_integer() || f->get<std::int64_t>() < 1 || f->get<std::int64_t>() > 16)
        return invalid("payload.options.dominant_colors", "must be an integer from 1 to 16");
      o.dominant_colors = f->get<int>();
    } else {
      return invalid("payload.options." + key,
                     "is not a known option (strip_gps, pixels, dominant_colors)");
    }
  }
  return o;
}

} // namespace

image_metadata_handler::image_metadata_handler(handler_options options)
    : options_(std::move(options)) {}

result<nlohmann::json> image_metadata_handler::run(nlohmann::json payload, handler_context& ctx) {
  if (!payload.is_object())
    return invalid("payload", "must be an object with \"image\", \"url\" or \"artifact\"");
  const auto image = payload.find("image");
  const auto url = payload.find("url");
  const auto artifact = payload.find("artifact");
  const int sources =
      (image != payload.end()) + (url != payload.end()) + (artifact != payload.end());
  if (sources != 1)
    return invalid("payload", "must have exactly one of \"image\", \"url\" and \"artifact\"");
  auto options = parse_options(payload, options_);
  if (!options)
    return std::move(options).err();

  std::string bytes;
  if (image != payload.end()) {
    if (!image->is_string())
      return invalid("payload.image", "must be a base64 string");
    auto decoded =
        internal::decode_base64(image->get_ref<const std::string&>(), options_.max_image_bytes);
    if (!decoded)
      return std::move(decoded).err();
    bytes = std::move(*decoded);
  } else if (url != payload.end()) {
    if (!url->is_string())
      return invalid("payload.url", "must be a string");
    if (!options_.fetch)
      return invalid("payload.url", "cannot be used: URL fetching is not configured on this node");
    ctx.progress(10, "fetching");
    // The fetch function is the node's; whatever it throws stays here.
    auto fetched = [&]() -> result<std::string> {
      try {
        return options_.fetch(url->get<std::string>());
      } catch (const std::exception& e) {
        return fail(errc::upstream_failed, std::string("fetching the image failed: ") + e.what());
      }
    }();
    if (!fetched)
      return std::move(fetched).err();
    bytes = std::move(*fetched);
  } else {
    return invalid("payload.artifact", "cannot be used: artifacts are not available on this node");
  }
  payload = nullptr; // the base64 text is no longer needed; free it before decoding

  if (ctx.cancelled())
    return fail(errc::task_cancelled, "image-metadata cancelled before analysis");
  ctx.progress(30, "analysing");
  auto answer = analyze_image(bytes, *options);
  if (answer)
    ctx.progress(100, "done");
  return answer;
}

} // namespace nzl::plugins::image_metadata
