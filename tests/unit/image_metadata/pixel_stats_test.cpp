#include "plugins/image_metadata/pixel_stats.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace nzl::plugins::image_metadata {
namespace {

struct image {
  int width;
  int height;
  std::vector<std::uint8_t> rgb;
  image(int w, int h) : width(w), height(h), rgb(static_cast<std::size_t>(w) * h * 3) {}
  std::uint8_t* at(int x, int y) { return &rgb[(static_cast<std::size_t>(y) * width + x) * 3]; }
  rgb_view view() const { return {rgb.data(), width, height}; }
};

image solid(int w, int h, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  image img(w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      auto* p = img.at(x, y);
      p[0] = r, p[1] = g, p[2] = b;
    }
  return img;
}

// A smooth, non-symmetric pattern: enough structure for dHash.
image pattern(int w, int h, double fx = 6.0, double fy = 4.0) {
  image img(w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const double v = 128 + 100 * std::sin(x * fx / w + 1.3) * std::cos(y * fy / h + 0.4);
      auto* p = img.at(x, y);
      p[0] = p[1] = p[2] = static_cast<std::uint8_t>(v);
    }
  return img;
}

TEST(ImageMetadataPixelsTest, BrightnessOfSolidColours) {
  EXPECT_DOUBLE_EQ(compute_pixel_stats(solid(20, 10, 0, 0, 0).view(), 5).mean_brightness, 0);
  EXPECT_NEAR(compute_pixel_stats(solid(20, 10, 255, 255, 255).view(), 5).mean_brightness, 255, 1);
  EXPECT_NEAR(compute_pixel_stats(solid(20, 10, 128, 128, 128).view(), 5).mean_brightness, 128, 1);
  // Green weighs most in luma, blue least.
  const auto green = compute_pixel_stats(solid(4, 4, 0, 255, 0).view(), 5).mean_brightness;
  const auto blue = compute_pixel_stats(solid(4, 4, 0, 0, 255).view(), 5).mean_brightness;
  EXPECT_NEAR(green, 0.587 * 255, 1.5);
  EXPECT_NEAR(blue, 0.114 * 255, 1.5);
}

TEST(ImageMetadataPixelsTest, DominantColoursOfTwoColourImage) {
  auto img = solid(40, 40, 200, 30, 30);
  for (int y = 30; y < 40; ++y) // bottom quarter blue
    for (int x = 0; x < 40; ++x) {
      auto* p = img.at(x, y);
      p[0] = 20, p[1] = 40, p[2] = 220;
    }
  const auto s = compute_pixel_stats(img.view(), 5);
  ASSERT_EQ(s.dominant.size(), 2u);
  EXPECT_EQ(to_hex(s.dominant[0].rgb), "#c81e1e");
  EXPECT_DOUBLE_EQ(s.dominant[0].fraction, 0.75);
  EXPECT_EQ(to_hex(s.dominant[1].rgb), "#1428dc");
  EXPECT_DOUBLE_EQ(s.dominant[1].fraction, 0.25);
  EXPECT_DOUBLE_EQ(s.histogram[0][200 >> 5], 0.75);
  EXPECT_DOUBLE_EQ(s.histogram[2][220 >> 5], 0.25);
  EXPECT_DOUBLE_EQ(s.histogram[2][30 >> 5], 0.75);
}

TEST(ImageMetadataPixelsTest, DominantColoursAreBounded) {
  image img(64, 64);
  std::mt19937 rng(7);
  for (auto& v : img.rgb)
    v = static_cast<std::uint8_t>(rng());
  EXPECT_EQ(compute_pixel_stats(img.view(), 3).dominant.size(), 3u);
}

TEST(ImageMetadataPixelsTest, DhashOfNearDuplicatesIsClose) {
  const auto original = pattern(320, 240);
  // Near duplicates: rescaled, and with noise.
  const auto smaller = pattern(160, 120);
  auto noisy = original;
  std::mt19937 rng(42);
  for (auto& v : noisy.rgb)
    v = static_cast<std::uint8_t>(std::clamp<int>(v + static_cast<int>(rng() % 9) - 4, 0, 255));
  const auto h = dhash(original.view());
  EXPECT_LE(hamming_distance(h, dhash(smaller.view())), 4);
  EXPECT_LE(hamming_distance(h, dhash(noisy.view())), 4);
  EXPECT_EQ(h, compute_pixel_stats(original.view(), 5).dhash);
}

TEST(ImageMetadataPixelsTest, DhashOfDifferentImagesIsFar) {
  const auto a = pattern(320, 240);
  image mirrored(320, 240);
  for (int y = 0; y < 240; ++y)
    for (int x = 0; x < 320; ++x)
      std::copy_n(a.rgb.data() + (static_cast<std::size_t>(y) * 320 + (319 - x)) * 3, 3,
                  mirrored.at(x, y));
  image random(320, 240);
  std::mt19937 rng(1);
  for (auto& v : random.rgb)
    v = static_cast<std::uint8_t>(rng());
  EXPECT_GE(hamming_distance(dhash(a.view()), dhash(mirrored.view())), 12);
  EXPECT_GE(hamming_distance(dhash(a.view()), dhash(pattern(320, 240, 17.0, 9.0).view())), 16);
  EXPECT_GE(hamming_distance(dhash(a.view()), dhash(random.view())), 16);
}

TEST(ImageMetadataPixelsTest, TinyImagesHashWithoutEmptyCells) {
  auto img = solid(1, 1, 10, 10, 10);
  EXPECT_EQ(dhash(img.view()), 0u);
  auto two = solid(2, 1, 0, 0, 0);
  two.at(0, 0)[0] = two.at(0, 0)[1] = two.at(0, 0)[2] = 255;
  EXPECT_NE(dhash(two.view()), 0u);
  EXPECT_EQ(to_hex(std::uint64_t{0xab}), "00000000000000ab");
}

} // namespace
} // namespace nzl::plugins::image_metadata
