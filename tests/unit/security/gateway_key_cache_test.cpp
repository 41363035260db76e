// The gateway answers a key it verified from its per-thread cache only while
// the key set keeps its version: a revoke or any other key change is seen by
// the next request; unknown keys are never cached; a service without
// versions is asked every time.
#include "net/gateway.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nzl::net {
namespace {

constexpr std::int64_t now_ms = 1'800'000'000'000;
constexpr std::string_view writer_key = "nzk_cachewriter000000000000000000000";

class versioned_security final : public security_service {
public:
  explicit versioned_security(std::uint64_t first_version) : version(first_version) {}

  std::shared_ptr<const key_entry> find_key(const security::key_digest& d) const override {
    ++lookups;
    for (const auto& k : keys)
      if (k->digest == d)
        return k;
    return nullptr;
  }
  std::uint64_t keys_version() const noexcept override { return version; }
  nonce_verdict remember_nonce(std::string_view, std::string_view, std::int64_t) override {
    return nonce_verdict::fresh;
  }
  std::int64_t replay_fence_s() const noexcept override { return 0; }
  security::take_result take_tokens(std::string_view bucket, const security::rate_tier& tier,
                                    std::int64_t n) override {
    return limiter.take(bucket, tier, n, now_ms);
  }
  void audit(audit_entry) override {}
  void create_key(key_spec, json_handler) override {}
  void list_keys(json_handler) override {}
  void revoke_key(std::string, json_handler) override {}
  void rotate_key(std::string, std::int64_t, json_handler) override {}
  void query_audit(audit_query, json_handler) override {}

  // Entries are immutable once published: a change publishes a new one and
  // a new version, as the security store does.
  void put(std::string_view text, std::int64_t revoked_at_ms, std::uint64_t new_version) {
    auto k = std::make_shared<key_entry>();
    k->id = "k_00000000000000aa";
    k->digest = security::hash_key(text);
    k->scopes = scope_tasks_read | scope_tasks_write;
    k->revoked_at_ms = revoked_at_ms;
    keys.assign(1, std::move(k));
    version = new_version;
  }

  std::vector<std::shared_ptr<const key_entry>> keys;
  std::uint64_t version;
  mutable int lookups = 0;
  security::rate_limiter limiter;
};

class SecurityGatewayKeyCacheTest : public ::testing::Test {
protected:
  SecurityGatewayKeyCacheTest() {
    options.now_ms = [] {
      return now_ms;
    };
    options.tiers = {{"default", 1000, 60}, {"anonymous", 1000, 60}};
  }

  static admission admit(gateway& gate, std::string_view key) {
    http_request req;
    req.method = http_method::post;
    req.target = "/v3/tasks";
    req.peer_address = "127.0.0.1";
    req.authorization = "Bearer " + std::string{key};
    return gate.admit(req, route::tasks_run);
  }

  gateway_options options;
};

// Versions far from any security store's, unique to each test.
std::uint64_t fresh_version() {
  static std::uint64_t next = 1ull << 62;
  return next += 1000;
}

TEST_F(SecurityGatewayKeyCacheTest, AVerifiedKeyIsLookedUpOncePerVersion) {
  versioned_security service{fresh_version()};
  service.put(writer_key, 0, service.version);
  gateway gate{options, service};
  for (int i = 0; i < 5; ++i) {
    auto adm = admit(gate, writer_key);
    EXPECT_FALSE(adm.refusal) << adm.rule;
    EXPECT_EQ(adm.key_id, "k_00000000000000aa");
  }
  EXPECT_EQ(service.lookups, 1);
}

TEST_F(SecurityGatewayKeyCacheTest, ARevokeIsSeenByTheNextRequest) {
  versioned_security service{fresh_version()};
  service.put(writer_key, 0, service.version);
  gateway gate{options, service};
  EXPECT_FALSE(admit(gate, writer_key).refusal);
  service.put(writer_key, now_ms - 1, service.version + 1);
  auto adm = admit(gate, writer_key);
  ASSERT_TRUE(adm.refusal);
  EXPECT_EQ(adm.rule, "key_revoked");
  EXPECT_EQ(service.lookups, 2);
}

TEST_F(SecurityGatewayKeyCacheTest, ARemovedKeyIsUnknownAtTheNextVersion) {
  versioned_security service{fresh_version()};
  service.put(writer_key, 0, service.version);
  gateway gate{options, service};
  EXPECT_FALSE(admit(gate, writer_key).refusal);
  service.keys.clear();
  ++service.version;
  EXPECT_EQ(admit(gate, writer_key).rule, "key_unknown");
}

TEST_F(SecurityGatewayKeyCacheTest, UnknownKeysAreNeverCached) {
  versioned_security service{fresh_version()};
  service.put(writer_key, 0, service.version);
  gateway gate{options, service};
  std::string near{writer_key};
  near.back() = '1';
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(admit(gate, near).rule, "key_unknown");
  EXPECT_EQ(service.lookups, 3);
}

TEST_F(SecurityGatewayKeyCacheTest, AServiceWithoutVersionsIsAskedEveryTime) {
  versioned_security service{0};
  service.put(writer_key, 0, 0);
  gateway gate{options, service};
  for (int i = 0; i < 3; ++i)
    EXPECT_FALSE(admit(gate, writer_key).refusal);
  EXPECT_EQ(service.lookups, 3);
}

TEST_F(SecurityGatewayKeyCacheTest, TwoServicesOnOneThreadDoNotShareKeys) {
  versioned_security a{fresh_version()}, b{fresh_version()};
  a.put(writer_key, 0, a.version);
  gateway gate_a{options, a}, gate_b{options, b};
  EXPECT_FALSE(admit(gate_a, writer_key).refusal);
  EXPECT_EQ(admit(gate_b, writer_key).rule, "key_unknown");
  EXPECT_FALSE(admit(gate_a, writer_key).refusal);
}

} // namespace
} // namespace nzl::net
