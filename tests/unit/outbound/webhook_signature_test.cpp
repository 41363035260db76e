#include "net/outbound/webhook_signature.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace nzl::net::outbound::webhook {
namespace {

// The example of the Standard Webhooks specification. Checked independently
// with the openssl CLI:
//   printf '%s' 'msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}' |
//     openssl dgst -sha256 -mac HMAC -macopt
//     hexkey:31f290f6bf06298aab4f08d43c3f082cf648a362da2da4b0 -binary | base64
constexpr const char* spec_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* spec_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t spec_ts = 1614265330;
constexpr const char* spec_body = R"({"test": 2432232314})";
constexpr const char* spec_sig = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

// A key of bytes 00..1f (base64 with padding), also from the openssl CLI:
//   printf '%s' 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W.1700000000.{"event":"task.completed","id":"t1"}' |
//     openssl dgst -sha256 -mac HMAC -macopt
//     hexkey:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f -binary | base64
constexpr const char* own_secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
constexpr const char* own_id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
constexpr std::int64_t own_ts = 1700000000;
constexpr const char* own_body = R"({"event":"task.completed","id":"t1"})";
constexpr const char* own_sig = "v1,eW0R2mBdJ/FmCBkTV0eewpl4/844rPfBBtvW0Wg9o58=";

TEST(WebhookSignatureTest, MatchesKnownVectors) {
  EXPECT_EQ(sign(spec_secret, spec_id, spec_ts, spec_body), spec_sig);
  EXPECT_EQ(sign(own_secret, own_id, own_ts, own_body), own_sig);
  // Without the prefix, the secret is read as bare base64.
  EXPECT_EQ(sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", spec_id, spec_ts, spec_body), spec_sig);
}

TEST(WebhookSignatureTest, VerifiesKnownVectors) {
  EXPECT_TRUE(verify(spec_secret, spec_id, spec_ts, spec_body, spec_sig));
  EXPECT_TRUE(verify(own_secret, own_id, own_ts, own_body, own_sig));
}

TEST(WebhookSignatureTest, AcceptsAnyOfSeveralSignatures) {
  std::string header = std::string{"v1,bm90IHRoaXM= v2,whatever "} + spec_sig + " v1a,zzz";
  EXPECT_TRUE(verify(spec_secret, spec_id, spec_ts, spec_body, header));
  EXPECT_FALSE(verify(spec_secret, spec_id, spec_ts, spec_body, "v1,bm90IHRoaXM= v1,YWJj"));
}

TEST(WebhookSignatureTest, RejectsAnyChange) {
  EXPECT_FALSE(verify(spec_secret, spec_id, spec_ts + 1, spec_body, spec_sig));
  EXPECT_FALSE(verify(spec_secret, "msg_other", spec_ts, spec_body, spec_sig));
  EXPECT_FALSE(verify(spec_secret, spec_id, spec_ts, R"({"test": 2432232315})", spec_sig));
  EXPECT_FALSE(verify(own_secret, spec_id, spec_ts, spec_body, spec_sig));
  EXPECT_FALSE(verify(spec_secret, spec_id, spec_ts, spec_body, ""));
  EXPECT_FALSE(verify(spec_secret, spec_id, spec_ts, spec_body, "v1,"));
  std::string wrong_version = spec_sig;
  wrong_version[1] = '2';
  EXPECT_FALSE(verify(spec_secret, spec_id, spec_ts, spec_body, wrong_version));
  std::string truncated = spec_sig;
  truncated.pop_back();
  EXPECT_FALSE(verify(spec_secret, spec_id, spec_ts, spec_body, truncated));
}

TEST(WebhookSignatureTest, InvalidSecretsSignNothing) {
  for (const char* secret :
       {"", "whsec_", "whsec_not base64!", "whsec_abc", "whsec_====", "whsec_AAEC$wQF"}) {
    EXPECT_FALSE(valid_secret(secret)) << secret;
    EXPECT_EQ(sign(secret, spec_id, spec_ts, spec_body), "") << secret;
    EXPECT_FALSE(verify(secret, spec_id, spec_ts, spec_body, spec_sig)) << secret;
  }
  EXPECT_TRUE(valid_secret(spec_secret));
  EXPECT_TRUE(valid_secret(own_secret));
}

TEST(WebhookSignatureTest, GeneratedSecretsAreFreshAndUsable) {
  std::set<std::string> seen;
  for (int i = 0; i < 16; ++i) {
    auto secret = generate_secret();
    ASSERT_TRUE(secret.starts_with("whsec_")) << secret;
    EXPECT_EQ(secret.size(), 6u + 44u); // 32 bytes in base64
    EXPECT_TRUE(valid_secret(secret));
    auto sig = sign(secret, "msg_1", 42, "body");
    EXPECT_TRUE(verify(secret, "msg_1", 42, "body", sig));
    EXPECT_TRUE(seen.insert(secret).second);
  }
}

} // namespace
} // namespace nzl::net::outbound::webhook
