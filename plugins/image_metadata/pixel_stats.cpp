#include "plugins/image_metadata/pixel_stats.hpp"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <memory>

namespace nzl::plugins::image_metadata {

namespace {

constexpr int hash_cols = 9;
constexpr int hash_rows = 8;

// Rec. 601 luma in fixed point (weights sum to 1024), 0..255.
inline std::uint32_t luma(const std::uint8_t* p) {
  return (306u * p[0] + 601u * p[1] + 117u * p[2]) >> 10;
}

struct accumulator {
  std::uint64_t luma_sum = 0;
  std::array<std::uint64_t, 3> channel_sum{};
  std::array<std::array<std::uint64_t, 8>, 3> bins{};
  // 512 colour cells: count and per-channel sums (for the cell's mean colour).
  std::array<std::uint64_t, 512> cell_count{};
  std::array<std::array<std::uint64_t, 3>, 512> cell_sum{};
  std::array<std::uint64_t, hash_cols * hash_rows> hash_sum{};
  std::array<std::uint64_t, hash_cols * hash_rows> hash_count{};
};

std::uint64_t hash_from_cells(const rgb_view& image, const accumulator& acc) {
  std::array<double, hash_cols * hash_rows> cell{};
  for (int r = 0; r < hash_rows; ++r)
    for (int c = 0; c < hash_cols; ++c) {
      const int i = r * hash_cols + c;
      if (acc.hash_count[i] > 0) {
        cell[i] = static_cast<double>(acc.hash_sum[i]) / static_cast<double>(acc.hash_count[i]);
      } else {
        // Images narrower than 9 or shorter than 8 pixels leave cells empty:
        // take the pixel under the cell's centre.
        const int x = std::min(image.width - 1, (2 * c + 1) * image.width / (2 * hash_cols));
        const int y = std::min(image.height - 1, (2 * r + 1) * image.height / (2 * hash_rows));
        cell[i] = luma(image.data + (static_cast<std::size_t>(y) * image.width + x) * 3);
      }
    }
  std::uint64_t hash = 0;
  for (int r = 0; r < hash_rows; ++r)
    for (int c = 0; c + 1 < hash_cols; ++c)
      if (cell[r * hash_cols + c] > cell[r * hash_cols + c + 1])
        hash |= std::uint64_t{1} << (r * 8 + c);
  return hash;
}

void accumulate(const rgb_view& image, accumulator& acc, bool colours) {
  std::vector<int> col_cell(static_cast<std::size_t>(image.width));
  for (int x = 0; x < image.width; ++x)
    col_cell[x] = static_cast<int>(static_cast<std::int64_t>(x) * hash_cols / image.width);
  for (int y = 0; y < image.height; ++y) {
    const int row_cell =
        static_cast<int>(static_cast<std::int64_t>(y) * hash_rows / image.height) * hash_cols;
    const std::uint8_t* p = image.data + static_cast<std::size_t>(y) * image.width * 3;
    std::uint64_t row_hash[hash_cols] = {};
    std::uint64_t row_luma = 0;
    for (int x = 0; x < image.width; ++x, p += 3) {
      const auto l = luma(p);
      row_luma += l;
      row_hash[col_cell[x]] += l;
      if (colours) {
        for (int ch = 0; ch < 3; ++ch) {
          acc.channel_sum[ch] += p[ch];
          ++acc.bins[ch][p[ch] >> 5];
        }
        const int cell = ((p[0] >> 5) << 6) | ((p[1] >> 5) << 3) | (p[2] >> 5);
        ++acc.cell_count[cell];
        acc.cell_sum[cell][0] += p[0];
        acc.cell_sum[cell][1] += p[1];
        acc.cell_sum[cell][2] += p[2];
      }
    }
    acc.luma_sum += row_luma;
    for (int c = 0; c < hash_cols; ++c)
      acc.hash_sum[row_cell + c] += row_hash[c];
  }
  // Cell sizes: pixels per column cell times rows per row cell.
  std::array<std::uint64_t, hash_rows> rows{};
  for (int y = 0; y < image.height; ++y)
    ++rows[static_cast<std::size_t>(static_cast<std::int64_t>(y) * hash_rows / image.height)];
  for (int c = 0; c < hash_cols; ++c) {
    const auto cols = static_cast<std::uint64_t>(std::count(col_cell.begin(), col_cell.end(), c));
    for (int r = 0; r < hash_rows; ++r)
      acc.hash_count[r * hash_cols + c] = cols * rows[r];
  }
}

} // namespace

pixel_stats compute_pixel_stats(const rgb_view& image, int max_dominant) {
  pixel_stats s;
  if (image.data == nullptr || image.width <= 0 || image.height <= 0)
    return s;
  auto acc = std::make_unique<accumulator>();
  accumulate(image, *acc, true);
  const double n = static_cast<double>(image.width) * image.height;
  s.mean_brightness = static_cast<double>(acc->luma_sum) / n;
  for (int ch = 0; ch < 3; ++ch) {
    s.mean_rgb[ch] = static_cast<double>(acc->channel_sum[ch]) / n;
    for (int b = 0; b < 8; ++b)
      s.histogram[ch][b] = static_cast<double>(acc->bins[ch][b]) / n;
  }
  std::vector<int> cells;
  for (int c = 0; c < 512; ++c)
    if (acc->cell_count[c] > 0)
      cells.push_back(c);
  std::sort(cells.begin(), cells.end(), [&](int a, int b) {
    return acc->cell_count[a] != acc->cell_count[b] ? acc->cell_count[a] > acc->cell_count[b]
                                                    : a < b;
  });
  for (int c : cells) {
    if (static_cast<int>(s.dominant.size()) >= max_dominant)
      break;
    dominant_color d;
    const auto count = acc->cell_count[c];
    for (int ch = 0; ch < 3; ++ch)
      d.rgb[ch] = static_cast<std::uint8_t>((acc->cell_sum[c][ch] + count / 2) / count);
    d.fraction = static_cast<double>(count) / n;
    s.dominant.push_back(d);
  }
  s.dhash = hash_from_cells(image, *acc);
  return s;
}

std::uint64_t dhash(const rgb_view& image) {
  if (image.data == nullptr || image.width <= 0 || image.height <= 0)
    return 0;
  auto acc = std::make_unique<accumulator>();
  accumulate(image, *acc, false);
  return hash_from_cells(image, *acc);
}

int hamming_distance(std::uint64_t a, std::uint64_t b) noexcept {
  return std::popcount(a ^ b);
}

std::string to_hex(std::uint64_t hash) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(hash));
  return buf;
}

std::string to_hex(const std::array<std::uint8_t, 3>& rgb) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
  return buf;
}

} // namespace nzl::plugins::image_metadata
