#include "apps/cloudagent/request_signing.hpp"

#include <gtest/gtest.h>

namespace nzl::cli {
namespace {

TEST(CliSigningTest, CanonicalStringHasFiveLines) {
  EXPECT_EQ(canonical_string(1714564800, "n0nce", "POST", "/v3/admin/keys?x=1", ""),
            "1714564800\nn0nce\nPOST\n/v3/admin/keys?x=1\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(CliSigningTest, SignsWithHmacSha256) {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  EXPECT_EQ(sign("Jefe", "what do ya want for nothing?"),
            "v1=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(CliSigningTest, NoncesAreUrlSafeAndDiffer) {
  auto a = make_nonce();
  auto b = make_nonce();
  EXPECT_EQ(a.size(), 24u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
}

TEST(CliSigningTest, HeadersCarryTimestampNonceAndSignature) {
  auto h = signature_headers("s3cret", "GET", "/v3/admin/keys", "", 1700000000, "abc");
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0], (std::pair<std::string, std::string>{"X-Timestamp", "1700000000"}));
  EXPECT_EQ(h[1], (std::pair<std::string, std::string>{"X-Nonce", "abc"}));
  EXPECT_EQ(h[2].second,
            sign("s3cret", canonical_string(1700000000, "abc", "GET", "/v3/admin/keys", "")));
}

} // namespace
} // namespace nzl::cli
