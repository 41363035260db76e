#include "security/signing.hpp"

#include <gtest/gtest.h>

namespace nzl::security {
namespace {

constexpr std::string_view secret = "s3cret";
constexpr std::string_view empty_sha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
// HMAC-SHA256 keyed "s3cret" of the canonical string below, computed with
// `openssl dgst -sha256 -hmac s3cret`.
constexpr std::string_view expected_signature =
    "v1=6dfde6cf05e9024305a95bf1b2320aa1f4268da7f85149ae189a6ff4eb9ab776";

signature_headers good_headers() {
  return {"1700000000", "abcdefghijklmnop", expected_signature};
}

TEST(SecuritySigningTest, CanonicalStringLayout) {
  EXPECT_EQ(canonical_string("1700000000", "abcdefghijklmnop", "post", "/v1/tasks?x=1", "{}"),
            "1700000000\nabcdefghijklmnop\nPOST\n/v1/tasks?x=1\n"
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  EXPECT_EQ(canonical_string("1", "n", "GET", "/", ""),
            "1\nn\nGET\n/\n" + std::string(empty_sha256));
}

TEST(SecuritySigningTest, SignMatchesOpensslVector) {
  auto canonical =
      canonical_string("1700000000", "abcdefghijklmnop", "POST", "/v1/tasks?x=1", "{}");
  EXPECT_EQ(sign(secret, canonical), expected_signature);
}

TEST(SecuritySigningTest, AnEmptySecretNeverVerifies) {
  auto h = good_headers();
  const auto text = canonical_string(h.timestamp, h.nonce, "POST", "/v1/tasks?x=1", "{}");
  const auto under_empty = sign("", text);
  h.signature = under_empty;
  EXPECT_EQ(verify_request("", h, "POST", "/v1/tasks?x=1", "{}", 1700000000),
            signature_status::no_signing_secret);
  EXPECT_EQ(to_string(signature_status::no_signing_secret), "no_signing_secret");
}

TEST(SecuritySigningTest, VerifiesGoodRequest) {
  EXPECT_EQ(verify_request(secret, good_headers(), "POST", "/v1/tasks?x=1", "{}", 1700000000),
            signature_status::ok);
  // At the edges of the window.
  EXPECT_EQ(verify_request(secret, good_headers(), "POST", "/v1/tasks?x=1", "{}", 1700000300),
            signature_status::ok);
  EXPECT_EQ(verify_request(secret, good_headers(), "POST", "/v1/tasks?x=1", "{}", 1699999700),
            signature_status::ok);
}

TEST(SecuritySigningTest, RejectsTimestampOutsideWindow) {
  EXPECT_EQ(verify_request(secret, good_headers(), "POST", "/v1/tasks?x=1", "{}", 1700000301),
            signature_status::timestamp_outside);
  EXPECT_EQ(verify_request(secret, good_headers(), "POST", "/v1/tasks?x=1", "{}", 1699999699),
            signature_status::timestamp_outside);
  EXPECT_EQ(verify_request(secret, good_headers(), "POST", "/v1/tasks?x=1", "{}", 1700000031, 30),
            signature_status::timestamp_outside);
}

TEST(SecuritySigningTest, RejectsMissingHeaders) {
  auto h = good_headers();
  h.nonce = "";
  EXPECT_EQ(verify_request(secret, h, "POST", "/v1/tasks?x=1", "{}", 1700000000),
            signature_status::missing_headers);
  h = good_headers();
  h.signature = "";
  EXPECT_EQ(check_signature_headers(h, 1700000000, 300), signature_status::missing_headers);
}

TEST(SecuritySigningTest, RejectsBadFormats) {
  auto h = good_headers();
  h.timestamp = "17e8";
  EXPECT_EQ(check_signature_headers(h, 1700000000, 300), signature_status::bad_timestamp);
  h.timestamp = "-1700000000";
  EXPECT_EQ(check_signature_headers(h, 1700000000, 300), signature_status::bad_timestamp);
  h.timestamp = "1234567890123";
  EXPECT_EQ(check_signature_headers(h, 1700000000, 300), signature_status::bad_timestamp);

  h = good_headers();
  h.nonce = "short";
  EXPECT_EQ(check_signature_headers(h, 1700000000, 300), signature_status::bad_nonce);
  h.nonce = "abcdefghijklmnop/";
  EXPECT_EQ(check_signature_headers(h, 1700000000, 300), signature_status::bad_nonce);
  h.nonce =
      std::string_view("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"); // 65
  EXPECT_EQ(check_signature_headers(h, 1700000000, 300), signature_status::bad_nonce);

  h = good_headers();
  h.signature = "v2=6dfde6cf05e9024305a95bf1b2320aa1f4268da7f85149ae189a6ff4eb9ab776";
  EXPECT_EQ(check_signature_headers(h, 1700000000, 300), signature_status::bad_signature_format);
  h.signature = "v1=6DFDE6CF05E9024305A95BF1B2320AA1F4268DA7F85149AE189A6FF4EB9AB776";
  EXPECT_EQ(check_signature_headers(h, 1700000000, 300), signature_status::bad_signature_format);
  h.signature = "v1=abc";
  EXPECT_EQ(check_signature_headers(h, 1700000000, 300), signature_status::bad_signature_format);
}

TEST(SecuritySigningTest, RejectsWrongSignature) {
  EXPECT_EQ(verify_request("other", good_headers(), "POST", "/v1/tasks?x=1", "{}", 1700000000),
            signature_status::wrong_signature);
  EXPECT_EQ(verify_request(secret, good_headers(), "POST", "/v1/tasks?x=2", "{}", 1700000000),
            signature_status::wrong_signature);
  EXPECT_EQ(verify_request(secret, good_headers(), "PUT", "/v1/tasks?x=1", "{}", 1700000000),
            signature_status::wrong_signature);
  EXPECT_EQ(verify_request(secret, good_headers(), "POST", "/v1/tasks?x=1", "{ }", 1700000000),
            signature_status::wrong_signature);
}

TEST(SecuritySigningTest, StatusNamesAreDistinct) {
  EXPECT_EQ(to_string(signature_status::ok), "ok");
  EXPECT_NE(to_string(signature_status::wrong_signature),
            to_string(signature_status::bad_signature_format));
}

// The HMAC context is reused per thread: a key must never leak into the
// next call, the empty key included (OpenSSL keeps the old key on a null one).
TEST(SecuritySigningTest, ReusedContextTakesEachCallsKey) {
  constexpr std::string_view fox_mac =
      "v1=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";
  constexpr std::string_view empty_mac =
      "v1=b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad";
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(sign("key", "The quick brown fox jumps over the lazy dog"), fox_mac);
    EXPECT_EQ(sign("", ""), empty_mac);
  }
}

TEST(SecuritySigningTest, Sha256MatchesKnownVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(SecuritySigningTest, HashedCanonicalStringMatches) {
  const std::string body = R"({"type":"echo"})";
  EXPECT_EQ(canonical_string_hashed("1700000000", "abcdefghijklmnop", "post", "/v3/tasks",
                                    sha256_hex(body)),
            canonical_string("1700000000", "abcdefghijklmnop", "post", "/v3/tasks", body));
}

} // namespace
} // namespace nzl::security

namespace nzl::security {
namespace {

// verify_request assembles the canonical string itself (on the stack, or on
// the heap for long targets): it must agree with canonical_string() for empty
// parts (the fuzzer found memcpy from an empty view's null data()) and for
// targets longer than its stack buffer.
TEST(SecuritySigningTest, VerifyAgreesWithCanonicalStringForEmptyAndLongParts) {
  for (std::string target :
       {std::string{}, std::string{"/"}, "/v3/tasks?q=" + std::string(600, 'a')})
    for (std::string_view method : {"", "post"}) {
      auto sig =
          sign(secret, canonical_string("1700000000", "abcdefghijklmnop", method, target, ""));
      signature_headers h{"1700000000", "abcdefghijklmnop", sig};
      EXPECT_EQ(verify_request(secret, h, method, target, "", 1700000000), signature_status::ok)
          << "target of " << target.size() << " bytes, method '" << method << "'";
    }
}

} // namespace
} // namespace nzl::security
