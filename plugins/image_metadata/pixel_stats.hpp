#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace nzl::plugins::image_metadata {

/// Read-only 8-bit RGB pixels, rows without padding. The caller keeps the
/// memory alive while the view is used.
struct rgb_view {
  const std::uint8_t* data = nullptr;
  int width = 0;
  int height = 0;
};

/// One of the most frequent colours: the mean of the pixels that fall in
/// one cell of a 8x8x8 RGB grid, and the share of the image in that cell.
struct dominant_color {
  std::array<std::uint8_t, 3> rgb{};
  double fraction = 0;
};

/// Summary of an image's pixels, computed in one pass.
struct pixel_stats {
  double mean_brightness = 0;                       ///< mean Rec. 601 luma, 0..255
  std::array<double, 3> mean_rgb{};                 ///< per-channel means, 0..255
  std::array<std::array<double, 8>, 3> histogram{}; ///< per channel, 8 bins of 32 levels, fractions
  std::vector<dominant_color> dominant;             ///< most frequent first
  std::uint64_t dhash = 0;                          ///< see `dhash`
};

/// Computes every statistic in one pass over the pixels; `max_dominant`
/// bounds `dominant`. An empty view gives all zeros.
[[nodiscard]] pixel_stats compute_pixel_stats(const rgb_view& image, int max_dominant);

/// The difference hash (dHash): the image reduced to 9x8 mean-luma cells
/// (box filter), bit `8*row + col` set when cell `col` is brighter than cell
/// `col + 1`. Near-duplicates (rescaled, recompressed, slightly retouched)
/// differ in few bits; compare with `hamming_distance`.
[[nodiscard]] std::uint64_t dhash(const rgb_view& image);

/// Number of differing bits.
[[nodiscard]] int hamming_distance(std::uint64_t a, std::uint64_t b) noexcept;

/// `hash` as 16 lower-case hex digits.
[[nodiscard]] std::string to_hex(std::uint64_t hash);

/// `#rrggbb`.
[[nodiscard]] std::string to_hex(const std::array<std::uint8_t, 3>& rgb);

} // namespace nzl::plugins::image_metadata
