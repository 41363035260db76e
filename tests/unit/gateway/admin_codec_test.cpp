#include "net/admin_codec.hpp"

#include <gtest/gtest.h>

namespace nzl::net {
namespace {

using nlohmann::json;

TEST(GatewayAdminCodecTest, KeySpecDefaultsAndFields) {
  auto spec = decode_key_spec(json{{"name", "ci"}});
  ASSERT_TRUE(spec) << spec.err().detail;
  EXPECT_EQ(spec->scopes, unsigned{scope_tasks_read | scope_tasks_write});
  EXPECT_EQ(spec->tier, "default");
  auto full = decode_key_spec(json{{"name", "ops"},
                                   {"scopes", {"admin"}},
                                   {"tier", "gold"},
                                   {"expires_in_s", 3600},
                                   {"signature_required", true},
                                   {"ip_allow", {"10.0.0.0/8"}},
                                   {"country_deny", {"fr"}}});
  ASSERT_TRUE(full) << full.err().detail;
  EXPECT_EQ(full->scopes, unsigned{scope_admin});
  EXPECT_EQ(full->country_deny, std::vector<std::string>{"FR"});
}

TEST(GatewayAdminCodecTest, KeySpecErrorsNameTheField) {
  for (auto [body, field] : std::vector<std::pair<json, std::string>>{
           {json::object(), "name"},
           {json{{"name", ""}}, "name"},
           {json{{"name", "x"}, {"scopes", {"root"}}}, "scopes"},
           {json{{"name", "x"}, {"tier", "Gold!"}}, "tier"},
           {json{{"name", "x"}, {"expires_in_s", 0}}, "expires_in_s"},
           {json{{"name", "x"}, {"ip_allow", {"10.0.0.1/8"}}}, "ip_allow"},
           {json{{"name", "x"}, {"country_allow", {"Germany"}}}, "country_allow"},
           {json{{"name", "x"}, {"colour", "red"}}, "colour"}}) {
    auto spec = decode_key_spec(body);
    ASSERT_FALSE(spec) << body.dump();
    EXPECT_EQ(spec.err().code, errc::invalid_field);
    EXPECT_EQ(spec.err().extensions["field"], field) << body.dump();
  }
}

TEST(GatewayAdminCodecTest, RotateGraceBounds) {
  auto missing = decode_rotate_grace(json::object());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.err().code, errc::invalid_field);
  EXPECT_EQ(decode_rotate_grace(json{{"grace_s", 0}}).value(), 0);
  EXPECT_EQ(decode_rotate_grace(json{{"grace_s", 3600}}).value(), 3600);
  EXPECT_FALSE(decode_rotate_grace(json{{"grace_s", -1}}));
  EXPECT_FALSE(decode_rotate_grace(json{{"grace_s", 2592001}}));
}

TEST(GatewayAdminCodecTest, AuditQueryParsesAndValidates) {
  auto q = decode_audit_query(
      "/v3/admin/audit?since=2026-11-28T10%3A00%3A00Z&key=k_0123456789abcdef&status=401&limit=5"
      "&after=42");
  ASSERT_TRUE(q) << q.err().detail;
  EXPECT_GT(q->since_ms, 0);
  EXPECT_EQ(q->key_id, "k_0123456789abcdef");
  EXPECT_EQ(q->status, 401);
  EXPECT_EQ(q->limit, 5u);
  EXPECT_EQ(q->after, 42u);
  EXPECT_FALSE(decode_audit_query("/v3/admin/audit?limit=0"));
  EXPECT_FALSE(decode_audit_query("/v3/admin/audit?since=yesterday"));
  EXPECT_FALSE(decode_audit_query("/v3/admin/audit?key=nzk_secret"));
  EXPECT_FALSE(decode_audit_query("/v3/admin/audit?status=%zz"));
}

} // namespace
} // namespace nzl::net
