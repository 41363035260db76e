// The gateway against a real node: every refusal of the security layers with
// its status, problem document and audit record, none of them running a task
// (each refused request is a durable task that would create its queue); the
// key admin endpoints; signatures with nonce replay across a restart.
#include "security/signing.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/node_process.hpp"
#include "tests/support/poll.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <ctime>
#include <fstream>
#include <set>
#include <thread>

namespace nzl::test {
namespace {

using nlohmann::json;

json security_section() {
  return json{{"security",
               {{"trusted_proxies", json::array()},
                {"ip_deny", {"203.0.113.0/24"}},
                {"country_deny", {"FR"}},
                {"rate_limit_tiers", {{"tiny", {{"quota", 2}, {"window_s", 3600}}}}}}}};
}

class GatewayIntegrationTest : public ::testing::Test {
protected:
  void SetUp() override {
    node_options options;
    options.manifest_sections = security_section();
    node_ = std::make_unique<node_process>(options);
    ASSERT_TRUE(node_->start());
  }

  http_client admin() { return http_client{node_->port()}; }

  // Creates a key through the admin API; returns its record with key and secret.
  json create_key(json spec) {
    auto c = admin();
    auto r = c.post("/v3/admin/keys", spec.dump());
    EXPECT_TRUE(r && r->status == 201) << (r ? r->body : c.error());
    return r ? r->json() : json();
  }

  // A durable echo task: if it ever ran, the "gw" queue would exist.
  static std::string durable_task() {
    return R"({"type":"echo","payload":{},"options":{"async":true,"queue":"gw"}})";
  }

  void expect_no_task_ran() {
    auto c = admin();
    auto r = c.request("GET", "/v3/queues/gw");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << "a refused request ran a task: " << r->body;
  }

  // The audit page for `query` once it holds a record with `request_id`
  // (any record when empty): records are written behind, within 100 ms.
  json audit(const std::string& query, const std::string& request_id = "") {
    auto c = admin();
    json out;
    EXPECT_TRUE(eventually(
        [&] {
          auto r = c.request("GET", "/v3/admin/audit?" + query);
          if (!r || r->status != 200)
            return false;
          out = r->json();
          for (const auto& rec : out["records"])
            if (request_id.empty() || rec["request_id"] == request_id)
              return true;
          return false;
        },
        std::chrono::seconds(10)))
        << request_id;
    return out;
  }

  std::unique_ptr<node_process> node_;
};

struct refusal_case {
  std::string name;
  header_list headers;
  std::string key; ///< "" sends none
  int status;
  std::string code;
  std::string rule;
};

TEST_F(GatewayIntegrationTest, EveryRefusalHasItsStatusProblemAndAuditRecordAndRunsNothing) {
  auto reader = create_key({{"name", "reader"}, {"scopes", {"tasks:read"}}});
  auto revoked = create_key({{"name", "revoked"}});
  auto expired = create_key({{"name", "expired"}, {"expires_in_s", 1}});
  auto tiny = create_key({{"name", "tiny"}, {"tier", "tiny"}});
  {
    auto c = admin();
    auto r = c.request("DELETE", "/v3/admin/keys/" + revoked["id"].get<std::string>());
    ASSERT_TRUE(r && r->status == 200);
    EXPECT_EQ(r->json()["status"], "revoked");
  }
  // Use up the tiny tier (2 per hour) with reads.
  for (int i = 0; i < 2; ++i) {
    http_client c{node_->port()};
    c.set_api_key(tiny["key"]);
    auto r = c.request("GET", "/v3/queues/none");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1100)); // the 1 s key expires

  const std::vector<refusal_case> cases{
      {"no key", {}, "", 401, "unauthenticated", "key_missing"},
      {"unknown key",
       {},
       "nzk_unknownunknownunknownunknown0",
       401,
       "unauthenticated",
       "key_unknown"},
      {"malformed",
       {{"Authorization", "Basic Zm9vOmJhcg=="}},
       "",
       401,
       "unauthenticated",
       "key_malformed"},
      {"revoked key", {}, revoked["key"], 401, "unauthenticated", "key_revoked"},
      {"expired key", {}, expired["key"], 401, "unauthenticated", "key_expired"},
      {"no scope", {}, reader["key"], 403, "forbidden", "scope:tasks:write"},
      {"over the rate", {}, tiny["key"], 429, "rate_limited", "rate_limit:tiny"},
      // The peer (127.0.0.1) is not a trusted proxy: its X-Forwarded-For and
      // CF-IPCountry are ignored, so neither can smuggle in a denied client
      // (or dodge a rule): the request is judged as 127.0.0.1 and runs.
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    http_client client{node_->port()};
    client.set_api_key(c.key);
    auto headers = c.headers;
    headers.emplace_back("X-Request-Id", "refusal-" + std::to_string(&c - cases.data()));
    auto r = client.post("/v3/tasks", durable_task(), headers);
    ASSERT_TRUE(r) << client.error();
    EXPECT_EQ(r->status, c.status) << r->body;
    EXPECT_EQ(r->header("Content-Type"), "application/problem+json");
    auto doc = r->json();
    EXPECT_EQ(doc["code"], c.code) << r->body;
    EXPECT_EQ(doc["status"], c.status);
    if (!c.key.empty()) {
      EXPECT_EQ(r->body.find(c.key), std::string::npos) << "the key was echoed";
    }
    if (c.status == 429) {
      EXPECT_FALSE(r->header("Retry-After").empty());
      EXPECT_EQ(r->header("RateLimit-Policy"), R"("tiny";q=2;w=3600)");
    }
    auto records = audit("limit=1000&status=" + std::to_string(c.status),
                         "refusal-" + std::to_string(&c - cases.data()));
    bool found = false;
    const auto list = records["records"];
    for (const auto& rec : list)
      if (rec["request_id"] == "refusal-" + std::to_string(&c - cases.data())) {
        found = true;
        EXPECT_EQ(rec["rule"], c.rule);
        EXPECT_EQ(rec["path"], "/v3/tasks");
        EXPECT_EQ(rec["client_ip"], "127.0.0.1");
        EXPECT_EQ(rec["task_type"], nullptr);
      }
    EXPECT_TRUE(found) << records.dump();
  }
  expect_no_task_ran();
}

TEST_F(GatewayIntegrationTest, ProbesNeedNoKeyAndRateLimitHeadersAreOnEveryAnswer) {
  http_client c{node_->port()};
  c.set_api_key("");
  auto health = c.request("GET", "/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->header("RateLimit-Policy"), R"("anonymous";q=120;w=60)");
  auto ok = admin().post("/v3/tasks", R"({"type":"echo","payload":{"a":1}})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->header("RateLimit-Policy"), R"("default";q=1000;w=60)");
  EXPECT_TRUE(ok->header("RateLimit").starts_with(R"("default";r=)")) << ok->header("RateLimit");
}

TEST_F(GatewayIntegrationTest, KeysCanBeCreatedListedRotatedAndRevoked) {
  auto key = create_key({{"name", "ci"}, {"scopes", {"tasks:write", "tasks:read"}}});
  ASSERT_TRUE(key["key"].get<std::string>().starts_with("nzk_"));
  EXPECT_EQ(key["signing_secret"].get<std::string>().size(), 64u);
  const std::string id = key["id"];

  http_client user{node_->port()};
  user.set_api_key(key["key"]);
  auto run = user.post("/v3/tasks", R"({"type":"echo","payload":{}})");
  ASSERT_TRUE(run);
  EXPECT_EQ(run->status, 200);

  auto c = admin();
  auto list = c.request("GET", "/v3/admin/keys");
  ASSERT_TRUE(list && list->status == 200);
  EXPECT_EQ(list->body.find(key["key"].get<std::string>()), std::string::npos);
  EXPECT_EQ(list->body.find(key["signing_secret"].get<std::string>()), std::string::npos);
  bool listed = false;
  const auto keys = list->json()["keys"];
  for (const auto& k : keys)
    if (k["id"] == id) {
      listed = true;
      EXPECT_EQ(k["name"], "ci");
      EXPECT_EQ(k["prefix"], key["key"].get<std::string>().substr(0, 12));
      EXPECT_FALSE(k.contains("key"));
    }
  EXPECT_TRUE(listed);

  auto rotated = c.post("/v3/admin/keys/" + id + "/rotate", R"({"grace_s":3600})");
  ASSERT_TRUE(rotated && rotated->status == 201) << (rotated ? rotated->body : "");
  auto fresh = rotated->json()["key"];
  EXPECT_EQ(rotated->json()["previous"]["replaced_by"], fresh["id"]);
  // Rotated once, a key in its grace period is not rotated again; its
  // successor is; a rotation needs its grace period.
  auto again = c.post("/v3/admin/keys/" + id + "/rotate", R"({"grace_s":3600})");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409) << again->body;
  EXPECT_EQ(again->json()["replaced_by"], fresh["id"]) << again->body;
  auto no_grace = c.post("/v3/admin/keys/" + fresh["id"].get<std::string>() + "/rotate", "{}");
  ASSERT_TRUE(no_grace);
  EXPECT_EQ(no_grace->status, 400) << no_grace->body;
  EXPECT_EQ(no_grace->json()["field"], "grace_s");
  // Both work during the grace period.
  http_client next{node_->port()};
  next.set_api_key(fresh["key"]);
  EXPECT_EQ(next.post("/v3/tasks", R"({"type":"echo"})")->status, 200);
  EXPECT_EQ(user.post("/v3/tasks", R"({"type":"echo"})")->status, 200);

  auto revoked = c.request("DELETE", "/v3/admin/keys/" + fresh["id"].get<std::string>());
  ASSERT_TRUE(revoked && revoked->status == 200);
  EXPECT_EQ(next.post("/v3/tasks", R"({"type":"echo"})")->status, 401);
  EXPECT_EQ(c.request("DELETE", "/v3/admin/keys/k_00000000000000ff")->status, 404);
  auto bad = c.post("/v3/admin/keys", R"({"name":"x","scopes":["root"]})");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(bad->json()["field"], "scopes");
}

// The bootstrap key and the node key are overwritten in the environment the
// node started with, not only unset: /proc/<pid>/environ shows the rest.
TEST_F(GatewayIntegrationTest, SecretsAreWipedFromTheNodesEnvironment) {
  std::ifstream in{"/proc/" + std::to_string(node_->pid()) + "/environ", std::ios::binary};
  ASSERT_TRUE(in) << "cannot read the node's environment";
  const std::string environ{std::istreambuf_iterator<char>{in}, {}};
  EXPECT_NE(environ.find("PATH="), std::string::npos) << "read nothing";
  EXPECT_EQ(environ.find(std::string{test_admin_key}), std::string::npos);
  EXPECT_EQ(environ.find(std::string{test_node_key}), std::string::npos);
}

TEST_F(GatewayIntegrationTest, KeysSurviveARestart) {
  auto key = create_key({{"name", "durable"}, {"signature_required", false}});
  node_->send_signal(SIGTERM);
  ASSERT_TRUE(node_->wait_exit(std::chrono::seconds(20)).has_value());
  ASSERT_TRUE(node_->restart());
  http_client user{node_->port()};
  user.set_api_key(key["key"]);
  auto r = user.post("/v3/tasks", R"({"type":"echo"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

class GatewaySignedIntegrationTest : public GatewayIntegrationTest {
protected:
  // One signed POST /v3/tasks with the given timestamp and nonce.
  std::optional<http_reply> send_signed(const json& key, std::int64_t ts, const std::string& nonce,
                                        const std::string& body) {
    http_client c{node_->port()};
    c.set_api_key(key["key"]);
    auto t = std::to_string(ts);
    auto sig = security::sign(key["signing_secret"].get<std::string>(),
                              security::canonical_string(t, nonce, "POST", "/v3/tasks", body));
    return c.post("/v3/tasks", body,
                  {{"X-Timestamp", t}, {"X-Nonce", nonce}, {"X-Signature", sig}});
  }
  static std::int64_t now_s() { return static_cast<std::int64_t>(std::time(nullptr)); }
};

TEST_F(GatewaySignedIntegrationTest, SignatureRefusalsAndReplayAcrossARestart) {
  auto key = create_key({{"name", "signer"}, {"signature_required", true}});
  const std::string body = R"({"type":"echo","payload":{"signed":true}})";

  auto ok = send_signed(key, now_s(), "nonce-aaaaaaaaaaaa-1", body);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;

  auto replay = send_signed(key, now_s(), "nonce-aaaaaaaaaaaa-1", body);
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->status, 401);
  EXPECT_EQ(replay->json()["reason"], "nonce_replayed");

  auto old = send_signed(key, now_s() - 301, "nonce-aaaaaaaaaaaa-2", body);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->status, 401);
  EXPECT_EQ(old->json()["reason"], "timestamp_outside_window");

  http_client c{node_->port()};
  c.set_api_key(key["key"]);
  auto wrong = c.post("/v3/tasks", body,
                      {{"X-Timestamp", std::to_string(now_s())},
                       {"X-Nonce", "nonce-aaaaaaaaaaaa-3"},
                       {"X-Signature", "v1=" + std::string(64, '0')}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(wrong->json()["reason"], "wrong_signature");
  auto missing = c.post("/v3/tasks", body);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->json()["reason"], "signature_missing");

  // A clean restart remembers the nonce.
  node_->send_signal(SIGTERM);
  ASSERT_TRUE(node_->wait_exit(std::chrono::seconds(20)).has_value());
  ASSERT_TRUE(node_->restart());
  auto after = send_signed(key, now_s(), "nonce-aaaaaaaaaaaa-1", body);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 401);
  EXPECT_EQ(after->json()["reason"], "nonce_replayed") << after->body;

  auto records = audit("limit=50&status=401&key=" + key["id"].get<std::string>());
  std::set<std::string> rules;
  const auto list = records["records"];
  for (const auto& r : list)
    rules.insert(r["rule"].get<std::string>());
  for (const char* rule : {"signature:nonce_replayed", "signature:timestamp_outside_window",
                           "signature:wrong_signature", "signature:signature_missing"})
    EXPECT_TRUE(rules.count(rule)) << rule << " in " << records.dump();
}

TEST_F(GatewaySignedIntegrationTest, AfterACrashSignaturesFromBeforeTheRestartAreRefused) {
  auto key = create_key({{"name", "signer"}, {"signature_required", true}});
  const std::string body = R"({"type":"echo"})";
  const auto signed_at = now_s();
  auto ok = send_signed(key, signed_at, "nonce-bbbbbbbbbbbb-1", body);
  ASSERT_TRUE(ok && ok->status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_TRUE(node_->kill_hard());
  ASSERT_TRUE(node_->restart());
  // The same nonce again: refused, whether or not its write reached the disk.
  auto again = send_signed(key, signed_at, "nonce-bbbbbbbbbbbb-1", body);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 401) << again->body;
  // A fresh signature works.
  auto fresh = send_signed(key, now_s(), "nonce-bbbbbbbbbbbb-2", body);
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->status, 200) << fresh->body;
}

class GatewayRulesIntegrationTest : public ::testing::Test {
protected:
  std::unique_ptr<node_process> start(json security, unsigned ready_status = 200) {
    node_options options;
    options.manifest_sections = json{{"security", std::move(security)}};
    options.ready_status = ready_status;
    auto node = std::make_unique<node_process>(options);
    EXPECT_TRUE(node->start());
    return node;
  }
};

TEST_F(GatewayRulesIntegrationTest, DeniedIpIsRefusedBeforeTheKey) {
  auto node = start({{"ip_deny", {"127.0.0.0/8"}}}, 403);
  http_client c{node->port()};
  auto r = c.post("/v3/tasks", R"({"type":"echo"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(r->json()["code"], "forbidden");
}

TEST_F(GatewayRulesIntegrationTest, SpoofedForwardedForFromAnUntrustedPeerIsIgnored) {
  // Only 198.51.100.0/24 may call; the loopback peer claims to be in it.
  auto node = start({{"ip_allow", {"198.51.100.0/24"}}}, 403);
  http_client c{node->port()};
  auto r = c.post("/v3/tasks", R"({"type":"echo"})", {{"X-Forwarded-For", "198.51.100.7"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
}

TEST_F(GatewayRulesIntegrationTest, TrustedProxyForwardedForAndCountryApply) {
  auto node = start({{"trusted_proxies", {"127.0.0.1/32"}},
                     {"ip_deny", {"198.51.100.7/32"}},
                     {"country_deny", {"FR"}}});
  http_client c{node->port()};
  auto denied_ip = c.post("/v3/tasks", R"({"type":"echo"})", {{"X-Forwarded-For", "198.51.100.7"}});
  ASSERT_TRUE(denied_ip);
  EXPECT_EQ(denied_ip->status, 403);
  auto denied_country = c.post("/v3/tasks", R"({"type":"echo"})", {{"CF-IPCountry", "FR"}});
  ASSERT_TRUE(denied_country);
  EXPECT_EQ(denied_country->status, 403);
  auto allowed = c.post("/v3/tasks", R"({"type":"echo"})", {{"CF-IPCountry", "DE"}});
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->status, 200);
}

TEST_F(GatewayRulesIntegrationTest, ANodeWithoutANodeKeySaysSoAndExits) {
  node_options options;
  options.env = {{"NZL_NODE_KEY", ""}, {"NZL_BOOTSTRAP_ADMIN_KEY", ""}};
  node_process node{options};
  EXPECT_FALSE(node.start());
  EXPECT_EQ(node.wait_exit(std::chrono::seconds(10)), 2);
  EXPECT_NE(node.log_text().find("no node key"), std::string::npos) << node.log_text();
}

} // namespace
} // namespace nzl::test

namespace nzl::test {
namespace {

// Under security.admin_signature_required the bootstrap admin key signs with
// the secret given next to it (NZL_BOOTSTRAP_ADMIN_SIGNING_SECRET); without
// one it cannot sign at all (never an HMAC under the empty key).
std::optional<http_reply> signed_admin_get(std::uint16_t port, const std::string& secret,
                                           const std::string& nonce) {
  http_client c{port};
  const auto t = std::to_string(static_cast<std::int64_t>(std::time(nullptr)));
  auto sig =
      security::sign(secret, security::canonical_string(t, nonce, "GET", "/v3/admin/keys", ""));
  return c.request("GET", "/v3/admin/keys", "",
                   {{"X-Timestamp", t}, {"X-Nonce", nonce}, {"X-Signature", sig}});
}

TEST(GatewayBootstrapSigningIntegrationTest, TheBootstrapKeySignsOnlyWithItsGivenSecret) {
  const std::string secret = "bootstrap-signing-secret-0123456789abcdef";
  node_options with;
  with.manifest_sections = json{{"security", {{"admin_signature_required", true}}}};
  with.env = {{"NZL_BOOTSTRAP_ADMIN_SIGNING_SECRET", secret}};
  node_process node{with};
  ASSERT_TRUE(node.start());
  http_client plain{node.port()};
  auto unsigned_call = plain.request("GET", "/v3/admin/keys");
  ASSERT_TRUE(unsigned_call);
  EXPECT_EQ(unsigned_call->status, 401);
  EXPECT_EQ(unsigned_call->json()["reason"], "signature_missing");
  auto ok = signed_admin_get(node.port(), secret, "nonce-bootstrap-0001");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;

  node_options without;
  without.manifest_sections = with.manifest_sections;
  node_process bare{without};
  ASSERT_TRUE(bare.start());
  auto empty = signed_admin_get(bare.port(), "", "nonce-bootstrap-0002");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 401) << empty->body;
  EXPECT_EQ(empty->json()["reason"], "no_signing_secret");
}

} // namespace
} // namespace nzl::test
