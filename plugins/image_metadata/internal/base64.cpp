#include "plugins/image_metadata/internal/base64.hpp"

#include <array>
#include <cstdint>

namespace nzl::plugins::image_metadata::internal {

namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::uint8_t invalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_table() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t)
    v = invalid;
  for (std::size_t i = 0; i < alphabet.size(); ++i)
    t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  return t;
}

constexpr auto table = make_table();

error bad(std::size_t offset, std::string what) {
  return fail(errc::invalid_field, "payload.image is not valid base64: " + what,
              {{"field", "payload.image"}, {"offset", offset}});
}

} // namespace

result<std::string> decode_base64(std::string_view text, std::size_t max_bytes) {
  if (text.size() % 4 != 0)
    return bad(text.size(), "length is not a multiple of 4 (padding is required)");
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=')
    padding = text.size() >= 2 && text[text.size() - 2] == '=' ? 2 : 1;
  const std::size_t out_size = text.size() / 4 * 3 - padding;
  if (out_size > max_bytes)
    return fail(errc::task_failed,
                "image is " + std::to_string(out_size) + " bytes; the limit is " +
                    std::to_string(max_bytes),
                {{"problem", "image-too-large"}, {"limit", max_bytes}});

  std::string out;
  out.reserve(out_size);
  const std::size_t data_end = text.size() - padding;
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < data_end; ++i) {
    const auto v = table[static_cast<unsigned char>(text[i])];
    if (v == invalid)
      return bad(i, text[i] == '=' ? "padding before the end" : "character outside the alphabet");
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  // The bits left over after the last whole byte must be zero.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
    return bad(data_end - 1, "non-zero bits in the last symbol before padding");
  return out;
}

std::string encode_base64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                            (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                            static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(alphabet[(n >> 18) & 63]);
    out.push_back(alphabet[(n >> 12) & 63]);
    out.push_back(alphabet[(n >> 6) & 63]);
    out.push_back(alphabet[n & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2)
      n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out.push_back(alphabet[(n >> 18) & 63]);
    out.push_back(alphabet[(n >> 12) & 63]);
    out.push_back(rest == 2 ? alphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

} // namespace nzl::plugins::image_metadata::internal
