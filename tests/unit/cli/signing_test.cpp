#include "apps/cloudagent/request_signing.hpp"
#include "security/signing.hpp"

#include <gtest/gtest.h>

namespace nzl::cli {
namespace {

TEST(CliSigningTest, NoncesAreUrlSafeAndDiffer) {
  auto a = make_nonce();
  auto b = make_nonce();
  EXPECT_EQ(a.size(), 24u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_TRUE(security::valid_nonce(a));
}

TEST(CliSigningTest, HeadersVerifyWithTheNodesCheck) {
  std::string body = R"({"grace_s":3600})";
  auto h = signature_headers("s3cret", "POST", "/v3/admin/keys/k_1/rotate?x=1", body, 1700000000,
                             "abcdefghijklmnopqrstuvwx");
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0], (std::pair<std::string, std::string>{"X-Timestamp", "1700000000"}));
  EXPECT_EQ(h[1], (std::pair<std::string, std::string>{"X-Nonce", "abcdefghijklmnopqrstuvwx"}));
  security::signature_headers sent{h[0].second, h[1].second, h[2].second};
  EXPECT_EQ(security::verify_request("s3cret", sent, "POST", "/v3/admin/keys/k_1/rotate?x=1", body,
                                     1700000000),
            security::signature_status::ok);
  EXPECT_EQ(security::verify_request("other", sent, "POST", "/v3/admin/keys/k_1/rotate?x=1", body,
                                     1700000000),
            security::signature_status::wrong_signature);
}

} // namespace
} // namespace nzl::cli
