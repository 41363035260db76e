#include "security/key_record.hpp"

#include <gtest/gtest.h>

namespace nzl::security {
namespace {

key_record sample() {
  key_record r;
  r.id = "k_0123456789abcdef";
  r.name = "ci pipeline";
  r.prefix = "nzk_abcdefgh";
  r.key_hash = hash_key("nzk_abcdefghijkl");
  r.scopes.add(scope::tasks_write);
  r.scopes.add(scope::tasks_read);
  r.tier = "default";
  r.ip.allow = *parse_cidrs({"10.0.0.0/8", "2001:db8::/32"});
  r.ip.deny = *parse_cidrs({"10.1.0.0/16"});
  r.country.allow = {"DE", "FR"};
  r.country.deny = {"RU"};
  r.signature_required = true;
  r.signing_secret_sealed = std::string("\x00\x01\xff sealed", 10);
  r.created_at_ms = 1'700'000'000'000;
  r.expires_at_ms = 1'800'000'000'000;
  r.replaced_by = "k_fedcba9876543210";
  return r;
}

TEST(SecurityKeyRecordTest, ScopesParseAndFormat) {
  auto set = parse_scopes({"admin", "tasks:read", "admin"});
  ASSERT_TRUE(set);
  EXPECT_TRUE(set->has(scope::admin));
  EXPECT_FALSE(set->has(scope::tasks_write));
  EXPECT_TRUE(set->allows(scope::tasks_write));
  EXPECT_EQ(format_scopes(*set), (std::vector<std::string>{"tasks:read", "admin"}));
  EXPECT_FALSE(parse_scopes({"tasks:delete"}));
  EXPECT_FALSE(parse_scope("Admin"));
  scope_set read_only;
  read_only.add(scope::tasks_read);
  EXPECT_FALSE(read_only.allows(scope::tasks_write));
}

TEST(SecurityKeyRecordTest, StorageRoundTrip) {
  auto r = sample();
  auto text = r.to_storage_json().dump();
  auto back = key_record::from_storage_json(nlohmann::json::parse(text));
  ASSERT_TRUE(back) << back.err().detail;
  EXPECT_EQ(back->to_storage_json(), r.to_storage_json());
  EXPECT_EQ(back->signing_secret_sealed, r.signing_secret_sealed);
  EXPECT_TRUE(digest_equal(back->key_hash, r.key_hash));
  EXPECT_EQ(back->ip.deny, r.ip.deny);
  EXPECT_EQ(back->scopes, r.scopes);
}

TEST(SecurityKeyRecordTest, LoadIsStrict) {
  auto good = sample().to_storage_json();
  auto with = [&](const char* field, nlohmann::json value) {
    auto copy = good;
    copy[field] = std::move(value);
    return key_record::from_storage_json(copy);
  };
  EXPECT_FALSE(with("v", 2));
  EXPECT_FALSE(with("id", "k_xyz"));
  EXPECT_FALSE(with("name", ""));
  EXPECT_FALSE(with("key_hash", "abcd"));
  EXPECT_FALSE(with("scopes", {"tasks:delete"}));
  EXPECT_FALSE(with("scopes", "admin"));
  EXPECT_FALSE(with("tier", "Bad Tier"));
  EXPECT_FALSE(with("ip_allow", {"10.0.0.1/8"}));
  EXPECT_FALSE(with("country_deny", {"Russia"}));
  EXPECT_FALSE(with("signature_required", "yes"));
  EXPECT_FALSE(with("signing_secret_sealed", "!!!"));
  EXPECT_FALSE(with("created_at_ms", 1.5));
  EXPECT_FALSE(with("expires_at_ms", -1));
  EXPECT_FALSE(with("replaced_by", "someone"));
  EXPECT_FALSE(with("surprise", 1));
  auto missing = good;
  missing.erase("tier");
  auto failed = key_record::from_storage_json(missing);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.err().code, errc::storage_failed);
  EXPECT_FALSE(key_record::from_storage_json(nlohmann::json::array()));
}

TEST(SecurityKeyRecordTest, PublicJsonHidesHashAndSecret) {
  auto r = sample();
  auto pub = r.to_public_json();
  auto text = pub.dump();
  EXPECT_FALSE(pub.contains("key_hash"));
  EXPECT_FALSE(pub.contains("signing_secret_sealed"));
  EXPECT_EQ(text.find(to_hex(r.key_hash)), std::string::npos);
  EXPECT_EQ(pub["id"], r.id);
  EXPECT_EQ(pub["prefix"], "nzk_abcdefgh");
  EXPECT_EQ(pub["has_signing_secret"], true);
  EXPECT_EQ(pub["created_at"], "2023-11-14T22:13:20.000Z");
  EXPECT_TRUE(pub["revoked_at"].is_null());
  EXPECT_EQ(pub["scopes"], nlohmann::json({"tasks:write", "tasks:read"}));
}

TEST(SecurityKeyRecordTest, UsableAt) {
  auto r = sample();
  EXPECT_TRUE(r.usable_at(r.created_at_ms));
  EXPECT_TRUE(r.usable_at(r.expires_at_ms - 1));
  EXPECT_FALSE(r.usable_at(r.expires_at_ms));
  r.expires_at_ms = 0;
  EXPECT_TRUE(r.usable_at(4'000'000'000'000));
  r.revoked_at_ms = 1;
  EXPECT_FALSE(r.usable_at(r.created_at_ms));
}

TEST(SecurityKeyRecordTest, KeyNames) {
  EXPECT_TRUE(valid_key_name("ci pipeline #2"));
  EXPECT_FALSE(valid_key_name(""));
  EXPECT_FALSE(valid_key_name(" padded"));
  EXPECT_FALSE(valid_key_name("tab\there"));
  EXPECT_FALSE(valid_key_name(std::string(65, 'a')));
}

} // namespace
} // namespace nzl::security
