#include "plugins/image_metadata/internal/base64.hpp"

#include <gtest/gtest.h>

namespace nzl::plugins::image_metadata::internal {
namespace {

TEST(ImageMetadataBase64Test, RoundTripsEveryLengthAndByte) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    auto decoded = decode_base64(encode_base64(bytes), 1 << 20);
    ASSERT_TRUE(decoded) << decoded.err().detail;
    EXPECT_EQ(*decoded, bytes);
    bytes.push_back(static_cast<char>(i * 37));
  }
}

TEST(ImageMetadataBase64Test, DecodesKnownVectors) {
  EXPECT_EQ(*decode_base64("", 10), "");
  EXPECT_EQ(*decode_base64("Zg==", 10), "f");
  EXPECT_EQ(*decode_base64("Zm8=", 10), "fo");
  EXPECT_EQ(*decode_base64("Zm9vYmFy", 10), "foobar");
}

TEST(ImageMetadataBase64Test, RefusesMalformedText) {
  for (const char* bad : {"Zg", "Zg=", "Z===", "Zm9v\nYmFy", "Zm9v YmFy", "Zm-_",
                          "Zg==Zg==", "=Zg=", "Zh==", "Zm9=", "\xff\xff\xff\xff"}) {
    auto r = decode_base64(bad, 100);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.err().code, errc::invalid_field) << bad;
  }
}

TEST(ImageMetadataBase64Test, RefusesOversizedOutputBeforeDecoding) {
  auto r = decode_base64(std::string(400, 'A'), 299);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::task_failed);
  EXPECT_EQ(r.err().extensions["problem"], "image-too-large");
  EXPECT_TRUE(decode_base64(std::string(400, 'A'), 300));
}

} // namespace
} // namespace nzl::plugins::image_metadata::internal
