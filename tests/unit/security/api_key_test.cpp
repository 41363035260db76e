#include "security/api_key.hpp"

#include <gtest/gtest.h>

#include <set>

namespace nzl::security {
namespace {

TEST(SecurityApiKeyTest, GeneratedKeyHasPrefixLengthAndCharset) {
  auto key = generate_key();
  ASSERT_TRUE(key);
  EXPECT_TRUE(key->key.starts_with("nzk_"));
  EXPECT_EQ(key->key.size(), 4u + 52u); // 256 bits in base32
  for (char c : key->key.substr(4))
    EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')) << c;
  EXPECT_EQ(key->prefix, key->key.substr(0, 12));
  EXPECT_TRUE(valid_key_id(key->id)) << key->id;
}

TEST(SecurityApiKeyTest, GeneratedKeysDiffer) {
  std::set<std::string> keys;
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    auto key = generate_key();
    ASSERT_TRUE(key);
    keys.insert(key->key);
    ids.insert(key->id);
  }
  EXPECT_EQ(keys.size(), 50u);
  EXPECT_EQ(ids.size(), 50u);
}

TEST(SecurityApiKeyTest, SigningSecretIs64Hex) {
  auto secret = generate_signing_secret();
  ASSERT_TRUE(secret);
  EXPECT_EQ(secret->size(), 64u);
  EXPECT_EQ(secret->find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(SecurityApiKeyTest, HashIsSha256AndComparesEqual) {
  auto digest = hash_key("abc");
  EXPECT_EQ(to_hex(digest), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(digest_equal(digest, hash_key("abc")));
  EXPECT_FALSE(digest_equal(digest, hash_key("abd")));
  auto back = digest_from_hex(to_hex(digest));
  ASSERT_TRUE(back);
  EXPECT_TRUE(digest_equal(*back, digest));
  EXPECT_FALSE(digest_from_hex("zz"));
  EXPECT_FALSE(digest_from_hex(std::string(64, 'g')));
}

TEST(SecurityApiKeyTest, KeyIdValidation) {
  EXPECT_TRUE(valid_key_id("k_0123456789abcdef"));
  EXPECT_FALSE(valid_key_id("k_0123456789ABCDEF"));
  EXPECT_FALSE(valid_key_id("k_0123456789abcde"));
  EXPECT_FALSE(valid_key_id("x_0123456789abcdef"));
}

TEST(SecurityApiKeyTest, ParsesBearerInAnyCase) {
  for (std::string_view header : {"Bearer nzk_abc", "bearer nzk_abc", "BEARER   nzk_abc  "}) {
    auto key = parse_credentials(header, "");
    ASSERT_TRUE(key) << header;
    EXPECT_EQ(*key, "nzk_abc");
  }
}

TEST(SecurityApiKeyTest, ParsesXApiKey) {
  auto key = parse_credentials("", "nzk_abc");
  ASSERT_TRUE(key);
  EXPECT_EQ(*key, "nzk_abc");
}

TEST(SecurityApiKeyTest, NoHeadersIsAnonymous) {
  auto key = parse_credentials("", "");
  ASSERT_TRUE(key);
  EXPECT_TRUE(key->empty());
}

TEST(SecurityApiKeyTest, BothHeadersMustAgree) {
  auto same = parse_credentials("Bearer nzk_abc", "nzk_abc");
  ASSERT_TRUE(same);
  EXPECT_EQ(*same, "nzk_abc");
  auto different = parse_credentials("Bearer nzk_abc", "nzk_abd");
  ASSERT_FALSE(different);
  EXPECT_EQ(different.err().code, errc::invalid_field);
}

TEST(SecurityApiKeyTest, RejectsMalformedCredentials) {
  EXPECT_FALSE(parse_credentials("Basic dXNlcjpwYXNz", ""));
  EXPECT_FALSE(parse_credentials("Bearer", ""));
  EXPECT_FALSE(parse_credentials("Bearer ", ""));
  EXPECT_FALSE(parse_credentials("Bearernzk_abc", ""));
  EXPECT_FALSE(parse_credentials("Bearer nzk abc", ""));
  EXPECT_FALSE(parse_credentials("Bearer nzk_ä", ""));
  EXPECT_FALSE(parse_credentials("", "nzk_abc;"));
  EXPECT_FALSE(parse_credentials("Bearer " + std::string(129, 'a'), ""));
  EXPECT_TRUE(parse_credentials("Bearer " + std::string(128, 'a'), ""));
  EXPECT_FALSE(parse_credentials("", std::string(10000, 'a')));
}

} // namespace
} // namespace nzl::security
