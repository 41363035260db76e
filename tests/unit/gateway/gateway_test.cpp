// The gateway's layers, one refusal at a time, through the api with an
// in-memory security service, a fake task service and an injected clock: each
// refusal answers its status and problem, names its rule in the audit record,
// and runs no task.
#include "net/api.hpp"
#include "net/gateway.hpp"
#include "security/signing.hpp"
#include "tests/unit/net/fake_task_service.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace nzl::net {
namespace {

using nlohmann::json;

constexpr std::int64_t now_ms = 1'800'000'000'000;

class memory_security final : public security_service {
public:
  std::shared_ptr<const key_entry> find_key(const security::key_digest& d) const override {
    for (const auto& k : keys)
      if (k->digest == d)
        return k;
    return nullptr;
  }
  nonce_verdict remember_nonce(std::string_view key_id, std::string_view nonce,
                               std::int64_t) override {
    return nonces.insert(std::string{key_id} + "/" + std::string{nonce}).second
               ? nonce_verdict::fresh
               : nonce_verdict::replay;
  }
  std::int64_t replay_fence_s() const noexcept override { return fence_s; }
  security::take_result take_tokens(std::string_view bucket, const security::rate_tier& tier,
                                    std::int64_t n) override {
    return limiter.take(bucket, tier, n, now_ms);
  }
  void audit(audit_entry e) override { audits.push_back(std::move(e)); }
  void create_key(key_spec, json_handler done) override { done(json{{"created", true}}); }
  void list_keys(json_handler done) override { done(json{{"keys", json::array()}}); }
  void revoke_key(std::string, json_handler done) override { done(json::object()); }
  void rotate_key(std::string, std::int64_t, json_handler done) override { done(json::object()); }
  void query_audit(audit_query, json_handler done) override { done(json::object()); }

  std::shared_ptr<key_entry> add(std::string key_text, unsigned scopes) {
    auto k = std::make_shared<key_entry>();
    k->id = "k_" + std::to_string(keys.size()) + "000000000000000";
    k->digest = security::hash_key(key_text);
    k->scopes = scopes;
    k->signing_secret = "secret-of-" + k->id;
    keys.push_back(k);
    return k;
  }

  std::vector<std::shared_ptr<key_entry>> keys;
  std::set<std::string> nonces;
  std::int64_t fence_s = 0;
  security::rate_limiter limiter;
  std::vector<audit_entry> audits;
};

class GatewayTest : public ::testing::Test {
protected:
  GatewayTest() {
    writer = security.add("nzk_writerkey000000000000000000", scope_tasks_write | scope_tasks_read);
    reader = security.add("nzk_readerkey000000000000000000", scope_tasks_read);
    admin = security.add("nzk_adminkey0000000000000000000", scope_admin);
    options.now_ms = [] {
      return now_ms;
    };
    options.tiers = {{"default", 1000, 60}, {"anonymous", 1000, 60}, {"tiny", 2, 60}};
  }

  http_response call(http_request req) {
    gateway gate{options, security};
    api a{tasks, api_options{}, api_services{&gate, &security, nullptr}};
    if (req.peer_address.empty())
      req.peer_address = "127.0.0.1";
    if (req.request_id.empty())
      req.request_id = "req-1";
    std::optional<http_response> out;
    a.handle(std::move(req), [&](http_response r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value());
    return out.value_or(http_response{});
  }

  static http_request task_request_with(std::string key) {
    http_request req;
    req.method = http_method::post;
    req.target = "/v3/tasks";
    req.body = R"({"type":"echo","payload":{"x":1}})";
    req.authorization = key.empty() ? "" : "Bearer " + key;
    return req;
  }

  // The last audit record, with the refusal checks every refused request shares.
  void expect_refused(const http_response& res, int status, std::string_view code,
                      std::string_view rule) {
    EXPECT_EQ(res.status, status) << res.body;
    EXPECT_EQ(res.content_type, "application/problem+json");
    auto doc = json::parse(res.body);
    EXPECT_EQ(doc["code"], code) << res.body;
    EXPECT_EQ(doc["status"], status);
    EXPECT_EQ(tasks.runs, 0) << "a refused request ran a task";
    ASSERT_FALSE(security.audits.empty());
    EXPECT_EQ(security.audits.back().status, status);
    EXPECT_EQ(security.audits.back().rule.substr(0, rule.size()), rule);
  }

  testing::fake_task_service tasks;
  memory_security security;
  gateway_options options;
  std::shared_ptr<key_entry> writer, reader, admin;
};

TEST_F(GatewayTest, AKeyWithTheScopeRunsTheTaskAndIsAudited) {
  auto res = call(task_request_with("nzk_writerkey000000000000000000"));
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(tasks.runs, 1);
  ASSERT_EQ(security.audits.size(), 1u);
  const auto& a = security.audits[0];
  EXPECT_EQ(a.key_id, writer->id);
  EXPECT_EQ(a.client_ip, "127.0.0.1");
  EXPECT_EQ(a.method, "POST");
  EXPECT_EQ(a.path, "/v3/tasks");
  EXPECT_EQ(a.task_type, "echo");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.rule, "");
  bool policy = false, limit = false;
  for (const auto& [name, value] : res.headers) {
    policy = policy || (name == "RateLimit-Policy" && value == R"("default";q=1000;w=60)");
    limit = limit || (name == "RateLimit" && value.starts_with(R"("default";r=999;t=)"));
  }
  EXPECT_TRUE(policy && limit);
}

TEST_F(GatewayTest, XApiKeyWorksLikeBearer) {
  auto req = task_request_with("");
  req.api_key = "nzk_writerkey000000000000000000";
  EXPECT_EQ(call(req).status, 200);
}

TEST_F(GatewayTest, NoKeyIs401) {
  expect_refused(call(task_request_with("")), 401, "unauthenticated", "key_missing");
}

TEST_F(GatewayTest, UnknownKeyIs401) {
  expect_refused(call(task_request_with("nzk_nosuchkey00000000000000000000")), 401,
                 "unauthenticated", "key_unknown");
}

TEST_F(GatewayTest, MalformedAuthorizationIs401) {
  auto req = task_request_with("");
  req.authorization = "Basic dXNlcjpwYXNz";
  expect_refused(call(req), 401, "unauthenticated", "key_malformed");
}

TEST_F(GatewayTest, RevokedKeyIs401) {
  writer->revoked_at_ms = now_ms - 1;
  expect_refused(call(task_request_with("nzk_writerkey000000000000000000")), 401, "unauthenticated",
                 "key_revoked");
}

TEST_F(GatewayTest, ExpiredKeyIs401) {
  writer->expires_at_ms = now_ms;
  expect_refused(call(task_request_with("nzk_writerkey000000000000000000")), 401, "unauthenticated",
                 "key_expired");
}

TEST_F(GatewayTest, KeyWithoutTheScopeIs403) {
  expect_refused(call(task_request_with("nzk_readerkey000000000000000000")), 403, "forbidden",
                 "scope:tasks:write");
  http_request admin_call;
  admin_call.method = http_method::get;
  admin_call.target = "/v3/admin/keys";
  admin_call.authorization = "Bearer nzk_writerkey000000000000000000";
  expect_refused(call(admin_call), 403, "forbidden", "scope:admin");
}

TEST_F(GatewayTest, ProbesNeedNoKeyButUnknownApiPathsDo) {
  http_request health;
  health.method = http_method::get;
  health.target = "/health";
  EXPECT_EQ(call(health).status, 200);
  http_request unknown;
  unknown.method = http_method::get;
  unknown.target = "/v3/nothing-here";
  expect_refused(call(unknown), 401, "unauthenticated", "key_missing");
}

TEST_F(GatewayTest, GlobalDeniedIpIs403AndDenyWinsOverAllow) {
  options.ip.allow = {security::cidr::parse("10.0.0.0/8").value()};
  options.ip.deny = {security::cidr::parse("10.1.0.0/16").value()};
  auto req = task_request_with("nzk_writerkey000000000000000000");
  req.peer_address = "10.1.2.3";
  expect_refused(call(req), 403, "forbidden", "global_ip_deny:10.1.0.0/16");
  req.peer_address = "192.0.2.1";
  security.audits.clear();
  expect_refused(call(req), 403, "forbidden", "global_ip_allow");
  req.peer_address = "10.2.0.1";
  EXPECT_EQ(call(req).status, 200);
}

TEST_F(GatewayTest, PerKeyIpRulesApply) {
  writer->ip.deny = {security::cidr::parse("::1/128").value()};
  auto req = task_request_with("nzk_writerkey000000000000000000");
  req.peer_address = "::1";
  expect_refused(call(req), 403, "forbidden", "key_ip_deny");
}

TEST_F(GatewayTest, ForwardedForCountsOnlyFromTrustedProxies) {
  options.ip.deny = {security::cidr::parse("198.51.100.7/32").value()};
  auto req = task_request_with("nzk_writerkey000000000000000000");
  req.forwarded_for = "198.51.100.7";
  // An untrusted peer's X-Forwarded-For is ignored: the peer is the client.
  EXPECT_EQ(call(req).status, 200);
  EXPECT_EQ(security.audits.back().client_ip, "127.0.0.1");
  // From a trusted proxy it names the client, which is denied.
  options.trusted_proxies = {security::cidr::parse("127.0.0.1/32").value()};
  tasks.runs = 0;
  expect_refused(call(req), 403, "forbidden", "global_ip_deny");
  EXPECT_EQ(security.audits.back().client_ip, "198.51.100.7");
}

TEST_F(GatewayTest, CountryRulesUseCfIpCountryFromTrustedProxiesOnly) {
  options.country.deny = {"FR"};
  auto req = task_request_with("nzk_writerkey000000000000000000");
  req.country = "FR";
  EXPECT_EQ(call(req).status, 200) << "an untrusted peer's CF-IPCountry must be ignored";
  options.trusted_proxies = {security::cidr::parse("127.0.0.0/8").value()};
  tasks.runs = 0;
  expect_refused(call(req), 403, "forbidden", "global_country:FR");
  EXPECT_EQ(security.audits.back().country, "FR");
}

TEST_F(GatewayTest, PerKeyCountryAllowList) {
  options.trusted_proxies = {security::cidr::parse("127.0.0.0/8").value()};
  writer->country.allow = {"DE"};
  auto req = task_request_with("nzk_writerkey000000000000000000");
  req.country = "US";
  expect_refused(call(req), 403, "forbidden", "key_country:US");
  req.country = "DE";
  EXPECT_EQ(call(req).status, 200);
}

TEST_F(GatewayTest, OverTheRateIs429WithRetryAfter) {
  writer->tier = "tiny";
  auto req = task_request_with("nzk_writerkey000000000000000000");
  EXPECT_EQ(call(req).status, 200);
  EXPECT_EQ(call(req).status, 200);
  tasks.runs = 0;
  auto res = call(req);
  expect_refused(res, 429, "rate_limited", "rate_limit:tiny");
  int retry_after = 0;
  for (const auto& [name, value] : res.headers)
    if (name == "Retry-After")
      retry_after = std::stoi(value);
  EXPECT_GE(retry_after, 1);
}

TEST_F(GatewayTest, ABatchCountsEachTask) {
  writer->tier = "tiny";
  auto req = task_request_with("nzk_writerkey000000000000000000");
  req.target = "/v3/tasks/batch";
  req.body = R"({"tasks":[{"type":"echo","payload":{}},{"type":"echo","payload":{}},)"
             R"({"type":"echo","payload":{}}]})";
  expect_refused(call(req), 429, "rate_limited", "rate_limit:tiny");
}

class GatewaySignatureTest : public GatewayTest {
protected:
  GatewaySignatureTest() { writer->signature_required = true; }

  http_request signed_request(std::int64_t ts, std::string nonce) {
    auto req = task_request_with("nzk_writerkey000000000000000000");
    req.timestamp = std::to_string(ts);
    req.nonce = std::move(nonce);
    req.signature = security::sign(
        writer->signing_secret,
        security::canonical_string(req.timestamp, req.nonce, "POST", req.target, req.body));
    return req;
  }
};

TEST_F(GatewaySignatureTest, AValidSignatureRuns) {
  EXPECT_EQ(call(signed_request(now_ms / 1000, "nonce-0000000000001")).status, 200);
}

// A key without a signing secret (a bootstrap key given none) cannot sign:
// a request "signed" under the empty key is refused, not run.
TEST_F(GatewaySignatureTest, AKeyWithoutASigningSecretCannotSign) {
  writer->signing_secret.clear();
  auto req = signed_request(now_ms / 1000, "nonce-0000000000009");
  expect_refused(call(req), 401, "unauthenticated", "signature:no_signing_secret");
  EXPECT_EQ(tasks.runs, 0);
}

TEST_F(GatewaySignatureTest, MissingSignatureIs401) {
  expect_refused(call(task_request_with("nzk_writerkey000000000000000000")), 401, "unauthenticated",
                 "signature:signature_missing");
}

TEST_F(GatewaySignatureTest, WrongSignatureIs401) {
  auto req = signed_request(now_ms / 1000, "nonce-0000000000002");
  req.body = R"({"type":"echo","payload":{"x":2}})"; // changed after signing
  expect_refused(call(req), 401, "unauthenticated", "signature:wrong_signature");
}

TEST_F(GatewaySignatureTest, OldTimestampIs401) {
  expect_refused(call(signed_request(now_ms / 1000 - 301, "nonce-0000000000003")), 401,
                 "unauthenticated", "signature:timestamp_outside_window");
}

TEST_F(GatewaySignatureTest, ReplayedNonceIs401) {
  auto req = signed_request(now_ms / 1000, "nonce-0000000000004");
  EXPECT_EQ(call(req).status, 200);
  tasks.runs = 0;
  expect_refused(call(req), 401, "unauthenticated", "signature:nonce_replayed");
}

TEST_F(GatewaySignatureTest, SignaturesFromBeforeAnUncleanRestartAreRefused) {
  security.fence_s = now_ms / 1000 - 10;
  expect_refused(call(signed_request(now_ms / 1000 - 20, "nonce-0000000000005")), 401,
                 "unauthenticated", "signature:before_restart");
}

TEST_F(GatewaySignatureTest, AdminCallsNeedASignatureWhenTheManifestSaysSo) {
  options.admin_signature_required = true;
  http_request req;
  req.method = http_method::get;
  req.target = "/v3/admin/keys";
  req.authorization = "Bearer nzk_adminkey0000000000000000000";
  expect_refused(call(req), 401, "unauthenticated", "signature:signature_missing");
}

} // namespace
} // namespace nzl::net
