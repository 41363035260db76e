#include "plugins/image_metadata/image_metadata_handler.hpp"
#include "plugins/image_metadata/internal/base64.hpp"
#include "test_images.hpp"

#include <gtest/gtest.h>

namespace nzl::plugins::image_metadata {
namespace {

using internal::encode_base64;
using test::null_context;

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

std::string bomb_png(std::uint32_t w, std::uint32_t h) {
  std::string png = "\x89PNG\r\n\x1A\n";
  png += be32(13) + "IHDR" + be32(w) + be32(h) + std::string("\x08\x02\x00\x00\x00", 5) + be32(0);
  png += be32(2) + "IDAT" + std::string("\x78\x9c", 2) + be32(0);
  png += be32(0) + "IEND" + be32(0xAE426082);
  return png;
}

// A tiny valid GIF (1x1, one colour), made by hand so these tests need no tools.
const std::string tiny_gif =
    std::string("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\x00\x00\x00\x00\x00"
                "\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00;",
                35);

class ImageMetadataHandlerTest : public ::testing::Test {
protected:
  result<nlohmann::json> run(nlohmann::json payload, handler_options o = {}) {
    image_metadata_handler h(std::move(o));
    return h.run(std::move(payload), ctx_);
  }
  result<nlohmann::json> run_bytes(const std::string& bytes, handler_options o = {}) {
    return run({{"image", encode_base64(bytes)}}, std::move(o));
  }
  static void expect_422(const result<nlohmann::json>& r, const char* problem) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.err().code, errc::task_failed) << r.err().detail;
    EXPECT_EQ(r.err().extensions.value("problem", ""), problem) << r.err().detail;
  }
  null_context ctx_;
};

TEST_F(ImageMetadataHandlerTest, AnswersForTinyGif) {
  auto r = run_bytes(tiny_gif);
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_EQ((*r)["format"], "gif");
  EXPECT_EQ((*r)["mime_type"], "image/gif");
  EXPECT_EQ((*r)["width"], 1);
  EXPECT_EQ((*r)["pixels"]["dominant_colors"][0]["color"], "#ff0000");
  EXPECT_EQ((*r)["pixels"]["dominant_colors"][0]["fraction"], 1.0);
  EXPECT_FALSE(r->dump().empty());
}

TEST_F(ImageMetadataHandlerTest, PixelsCanBeSkipped) {
  auto r = run({{"image", encode_base64(tiny_gif)}, {"options", {{"pixels", false}}}});
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_TRUE((*r)["pixels"].is_null());
}

TEST_F(ImageMetadataHandlerTest, RefusesBadPayloads) {
  for (const auto& payload :
       {nlohmann::json::array(), nlohmann::json::object(), nlohmann::json{{"image", 5}},
        nlohmann::json{{"image", "R0lG"}, {"url", "http://x"}},
        nlohmann::json{{"image", "not base64!"}},
        nlohmann::json{{"image", encode_base64(tiny_gif)}, {"options", {{"strip_gps", "yes"}}}},
        nlohmann::json{{"image", encode_base64(tiny_gif)}, {"options", {{"dominant_colors", 0}}}},
        nlohmann::json{{"image", encode_base64(tiny_gif)}, {"options", {{"colour", true}}}},
        nlohmann::json{{"image", encode_base64(tiny_gif)}, {"options", 1}}}) {
    auto r = run(payload);
    ASSERT_FALSE(r) << payload.dump();
    EXPECT_EQ(r.err().code, errc::invalid_field) << payload.dump();
  }
}

TEST_F(ImageMetadataHandlerTest, UrlWithoutFetchIsRefused) {
  auto r = run({{"url", "https://example.com/a.jpg"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::invalid_field);
  EXPECT_NE(r.err().detail.find("URL fetching is not configured"), std::string::npos);
}

TEST_F(ImageMetadataHandlerTest, UrlUsesTheFetchFunction) {
  handler_options o;
  std::string asked;
  o.fetch = [&](const std::string& url) -> result<std::string> {
    asked = url;
    return tiny_gif;
  };
  auto r = run({{"url", "https://example.com/a.gif"}}, o);
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_EQ(asked, "https://example.com/a.gif");
  EXPECT_EQ((*r)["format"], "gif");

  o.fetch = [](const std::string&) -> result<std::string> {
    return fail(errc::egress_denied, "10.0.0.1 is not allowed");
  };
  auto denied = run({{"url", "https://internal/a.gif"}}, o);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.err().code, errc::egress_denied);

  o.fetch = [](const std::string&) -> result<std::string> {
    return std::string(100, 'x');
  };
  o.max_image_bytes = 10;
  expect_422(run({{"url", "https://example.com/big"}}, o), "image-too-large");
}

TEST_F(ImageMetadataHandlerTest, ArtifactIsRefused) {
  auto r = run({{"artifact", "a1"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::invalid_field);
  EXPECT_NE(r.err().detail.find("artifacts are not available"), std::string::npos);
}

TEST_F(ImageMetadataHandlerTest, ZeroSizeIs422) {
  expect_422(run_bytes(""), "empty-image");
}

TEST_F(ImageMetadataHandlerTest, WrongTypeIs422) {
  expect_422(run_bytes("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"), "unsupported-format");
  expect_422(run_bytes("{\"json\": true}"), "unsupported-format");
}

TEST_F(ImageMetadataHandlerTest, DecompressionBombIsRefusedBeforeDecoding) {
  expect_422(run_bytes(bomb_png(100000, 100000)), "image-too-large");
  handler_options small;
  small.max_pixels = 100;
  expect_422(run_bytes(bomb_png(11, 10), small), "image-too-large");
}

TEST_F(ImageMetadataHandlerTest, TruncatedAndCorruptAre422) {
  expect_422(run_bytes(tiny_gif.substr(0, tiny_gif.size() - 1)), "corrupt-image");
  expect_422(run_bytes(tiny_gif.substr(0, 12)), "corrupt-image");
  // A PNG whose header is plausible but whose pixel data is garbage.
  expect_422(run_bytes(bomb_png(16, 16)), "corrupt-image");
}

TEST_F(ImageMetadataHandlerTest, CancelledBeforeAnalysis) {
  ctx_.cancelled_ = true;
  auto r = run_bytes(tiny_gif);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::task_cancelled);
}

TEST_F(ImageMetadataHandlerTest, ArbitraryBytesNeverCrash) {
  // Every prefix and some byte flips of a real image: each answer is a value
  // or a 422, never a crash.
  for (std::size_t n = 0; n <= tiny_gif.size(); ++n) {
    auto r = run_bytes(tiny_gif.substr(0, n));
    if (!r) {
      EXPECT_EQ(r.err().code, errc::task_failed);
    }
  }
  for (std::size_t i = 0; i < tiny_gif.size(); ++i) {
    auto bytes = tiny_gif;
    bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
    auto r = run_bytes(bytes);
    if (!r) {
      EXPECT_EQ(r.err().code, errc::task_failed);
    }
  }
}

} // namespace
} // namespace nzl::plugins::image_metadata
