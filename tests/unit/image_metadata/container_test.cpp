#include "plugins/image_metadata/internal/container.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace nzl::plugins::image_metadata::internal {
namespace {

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// A PNG whose IHDR claims `w` x `h`; the pixel data is not valid, which no
// header check may notice.
std::string fake_png(std::uint32_t w, std::uint32_t h) {
  std::string png = "\x89PNG\r\n\x1A\n";
  png += be32(13) + "IHDR" + be32(w) + be32(h) + std::string("\x08\x02\x00\x00\x00", 5) + be32(0);
  png += be32(2) + "IDAT" + std::string("\x78\x9c", 2) + be32(0);
  png += be32(0) + "IEND" + be32(0xAE426082);
  return png;
}

TEST(ImageMetadataContainerTest, ReadsPngHeader) {
  auto info = read_container(fake_png(640, 480));
  ASSERT_TRUE(info) << info.err().detail;
  EXPECT_EQ(info->format, image_format::png);
  EXPECT_EQ(info->width, 640u);
  EXPECT_EQ(info->height, 480u);
  EXPECT_EQ(info->bit_depth, 8);
  EXPECT_EQ(info->color_space, "rgb");
}

TEST(ImageMetadataContainerTest, ReadsHugeDimensionsWithoutDecoding) {
  auto info = read_container(fake_png(100000, 100000));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->width, 100000u);
}

TEST(ImageMetadataContainerTest, RefusesTruncatedPng) {
  auto png = fake_png(10, 10);
  auto r = read_container(png.substr(0, png.size() - 12));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::task_failed);
  EXPECT_EQ(r.err().extensions["problem"], "corrupt-image");
}

TEST(ImageMetadataContainerTest, RefusesZeroDimensions) {
  auto r = read_container(fake_png(0, 10));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().extensions["problem"], "corrupt-image");
}

TEST(ImageMetadataContainerTest, RefusesJpegWithoutEndOfImage) {
  std::string jpeg = "\xFF\xD8\xFF\xE0";
  jpeg += std::string("\x00\x04\x00\x00", 4);
  jpeg += "\xFF\xC0" + std::string("\x00\x0B\x08\x00\x10\x00\x20\x01\x01\x11\x00", 11);
  jpeg += "\xFF\xDA" + std::string("\x00\x08\x01\x01\x00\x00\x3F\x00", 8) + "\x12\x34";
  auto r = read_container(jpeg);
  ASSERT_FALSE(r);
  EXPECT_NE(r.err().detail.find("end-of-image"), std::string::npos);
  auto ok = read_container(jpeg + "\xFF\xD9");
  ASSERT_TRUE(ok) << ok.err().detail;
  EXPECT_EQ(ok->width, 32u);
  EXPECT_EQ(ok->height, 16u);
  EXPECT_EQ(ok->color_space, "gray");
}

TEST(ImageMetadataContainerTest, RefusesOtherFormats) {
  for (std::string bytes : {std::string("%PDF-1.7\n"), std::string("hello, world"),
                            std::string("\x00\x00\x00\x00", 4), std::string("\xFF\xD8", 2)}) {
    auto r = read_container(bytes);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.err().code, errc::task_failed);
  }
}

TEST(ImageMetadataContainerTest, ReadsGifHeader) {
  std::string gif = "GIF89a" + std::string("\x05\x00\x03\x00\xF2\x00\x00", 7) + ";";
  auto info = read_container(gif);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->width, 5u);
  EXPECT_EQ(info->height, 3u);
  EXPECT_EQ(info->bit_depth, 3);
}

} // namespace
} // namespace nzl::plugins::image_metadata::internal

namespace nzl::plugins::image_metadata::internal {
namespace {

// Regression: the fuzzer found that stb_image 2.27 writes past its Huffman
// table when a DHT segment lists more than 256 codes.
TEST(ImageMetadataContainerTest, RefusesHuffmanTableWithTooManyCodes) {
  std::string counts(16, '\0');
  counts[15] = static_cast<char>(255);
  counts[14] = 2; // 257 codes
  std::string dht = std::string("\x00", 1) + counts + std::string(257, '\x01');
  const auto len = static_cast<std::uint32_t>(dht.size() + 2);
  std::string jpeg = "\xFF\xD8";
  jpeg += "\xFF\xC0" + std::string("\x00\x0B\x08\x00\x10\x00\x20\x01\x01\x11\x00", 11);
  jpeg += "\xFF\xC4" + std::string{static_cast<char>(len >> 8), static_cast<char>(len)} + dht;
  jpeg += "\xFF\xDA" + std::string("\x00\x08\x01\x01\x00\x00\x3F\x00", 8) + "\x12\xFF\xD9";
  auto r = read_container(jpeg);
  ASSERT_FALSE(r);
  EXPECT_NE(r.err().detail.find("Huffman"), std::string::npos) << r.err().detail;
}

} // namespace
} // namespace nzl::plugins::image_metadata::internal
