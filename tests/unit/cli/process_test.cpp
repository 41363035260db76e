// The cloudagent binary as an operator runs it, against a fake node on
// 127.0.0.1 that records each request.
#include "security/signing.hpp"
#include "tests/unit/cli/child_process.hpp"
#include "tests/unit/cli/fake_node.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <sys/socket.h>
#include <unistd.h>

namespace nzl::cli::testing {
namespace {

using json = nlohmann::json;

constexpr const char* admin_key = "nzk_admin_0123456789abcdef";

const char* record_json =
    R"({"id":"k_1","name":"ci","prefix":"nzk_ab12","scopes":["tasks:write","tasks:read"],
  "tier":"default","created_at":"2024-05-01T12:00:00Z","expires_at":null,"revoked_at":null,
  "signature_required":false,"ip_allow":[],"ip_deny":[],"country_allow":[],"country_deny":[],
  "status":"active"})";

std::string hex(const unsigned char* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += d[p[i] >> 4];
    out += d[p[i] & 15];
  }
  return out;
}

// The node's side of request signing, written independently of the CLI's.
std::string expected_signature(const std::string& secret, const recorded_request& r) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(r.body.data()), r.body.size(), digest);
  std::string text = r.header("X-Timestamp") + "\n" + r.header("X-Nonce") + "\n" + r.method + "\n" +
                     r.target + "\n" + hex(digest, sizeof digest);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &len);
  return "v1=" + hex(mac, len);
}

// A loopback port with nobody listening: bound, then closed.
std::uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class CliProcessTest : public ::testing::Test {
protected:
  std::map<std::string, std::string> env() const {
    return {{"NZL_NODE", node_.url()}, {"NZL_API_KEY", admin_key}};
  }

  child_result run(const std::vector<std::string>& args) { return run_cli(args, env()); }

  static void expect_no_admin_key(const child_result& r) {
    EXPECT_EQ(r.out.find(admin_key), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find(admin_key), std::string::npos) << r.err;
  }

  fake_node node_;
};

TEST_F(CliProcessTest, KeysCreateSendsTheRequestAndPrintsTheKeyOnce) {
  json created = json::parse(record_json);
  created["key"] = "nzk_new_key_value";
  created["signing_secret"] = "sec_new_secret";
  created["expires_at"] = "2024-05-31T12:00:00Z";
  node_.answer("POST /v3/admin/keys", {201, created.dump()});
  auto r = run({"keys", "create", "--name", "ci", "--scope", "tasks:read", "--scope", "admin",
                "--expires-in", "30d", "--require-signature", "--ip-allow", "10.0.0.0/8",
                "--country-deny", "ru"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto reqs = node_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/v3/admin/keys");
  EXPECT_EQ(reqs[0].header("Authorization"), std::string{"Bearer "} + admin_key);
  EXPECT_EQ(reqs[0].header("Content-Type"), "application/json");
  EXPECT_EQ(reqs[0].header("X-Signature"), ""); // no secret: not signed
  auto body = json::parse(reqs[0].body);
  EXPECT_EQ(body["name"], "ci");
  EXPECT_EQ(body["scopes"], json::array({"tasks:read", "admin"}));
  EXPECT_EQ(body["expires_in_s"], 2592000);
  EXPECT_EQ(body["signature_required"], true);
  EXPECT_EQ(body["ip_allow"], json::array({"10.0.0.0/8"}));
  EXPECT_EQ(body["country_deny"], json::array({"RU"}));
  EXPECT_FALSE(body.contains("tier"));
  EXPECT_NE(r.out.find("nzk_new_key_value"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sec_new_secret"), std::string::npos);
  EXPECT_NE(r.err.find("store the key and the signing secret now"), std::string::npos);
  expect_no_admin_key(r);
}

TEST_F(CliProcessTest, KeysListPrintsAnAlignedTableWithoutKeys) {
  json second = json::parse(record_json);
  second["id"] = "k_22";
  second["name"] = "deploy-bot";
  second["status"] = "revoked";
  node_.answer("GET /v3/admin/keys",
               {200, json{{"keys", {json::parse(record_json), second}}}.dump()});
  auto r = run({"keys", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(node_.requests().at(0).method, "GET");
  EXPECT_EQ(
      r.out,
      "ID    NAME        PREFIX    SCOPES                  TIER     STATUS   CREATED           "
      "    EXPIRES\n"
      "k_1   ci          nzk_ab12  tasks:write,tasks:read  default  active   "
      "2024-05-01T12:00:00Z  never\n"
      "k_22  deploy-bot  nzk_ab12  tasks:write,tasks:read  default  revoked  "
      "2024-05-01T12:00:00Z  never\n");
  expect_no_admin_key(r);
}

TEST_F(CliProcessTest, KeysRevokeAndRotate) {
  json revoked = json::parse(record_json);
  revoked["status"] = "revoked";
  revoked["revoked_at"] = "2024-05-02T00:00:00Z";
  node_.answer("DELETE /v3/admin/keys/k_1", {200, revoked.dump()});
  auto r = run({"keys", "revoke", "k_1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Revoked key k_1"), std::string::npos) << r.out;

  json fresh = json::parse(record_json);
  fresh["id"] = "k_2";
  fresh["key"] = "nzk_rotated";
  fresh["signing_secret"] = "sec_rotated";
  json previous = json::parse(record_json);
  previous["expires_at"] = "2024-05-01T13:00:00Z";
  node_.answer("POST /v3/admin/keys/k_1/rotate",
               {201, json{{"key", fresh}, {"previous", previous}}.dump()});
  r = run({"keys", "rotate", "k_1", "--grace", "1h"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto reqs = node_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].method, "DELETE");
  EXPECT_EQ(reqs[1].target, "/v3/admin/keys/k_1/rotate");
  EXPECT_EQ(json::parse(reqs[1].body), (json{{"grace_s", 3600}}));
  EXPECT_NE(r.out.find("nzk_rotated"), std::string::npos);
  EXPECT_NE(r.out.find("stays valid until 2024-05-01T13:00:00Z"), std::string::npos) << r.out;
}

TEST_F(CliProcessTest, ProblemDocumentExitsOneWithTitleStatusDetail) {
  auto r = run({"keys", "revoke", "k_9"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: Not Found (404): no route\n");
  EXPECT_EQ(r.out, "");
}

TEST_F(CliProcessTest, AKeyEchoedByTheNodeIsRedacted) {
  node_.answer("GET /v3/admin/keys",
               {401,
                json{{"title", "Unauthorized"},
                     {"status", 401},
                     {"detail", std::string{"key "} + admin_key + " is unknown"}}
                    .dump(),
                "application/problem+json"});
  auto r = run({"keys", "list"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: Unauthorized (401): key [redacted] is unknown\n");
  expect_no_admin_key(r);
}

TEST_F(CliProcessTest, KeyOnTheCommandLineWarnsAndIsSent) {
  node_.answer("GET /v3/admin/keys", {200, R"({"keys":[]})"});
  auto r = run_cli({"keys", "list", "--node", node_.url(), "--key", "nzk_cli_key"}, {});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(node_.requests().at(0).header("Authorization"), "Bearer nzk_cli_key");
  EXPECT_NE(r.err.find("visible to other users in ps"), std::string::npos);
  EXPECT_EQ(r.err.find("nzk_cli_key"), std::string::npos);
}

TEST_F(CliProcessTest, SignedRequestsVerify) {
  json created = json::parse(record_json);
  node_.answer("POST /v3/admin/keys", {201, created.dump()});
  node_.answer("GET /v3/admin/audit", {200, R"({"records":[],"next":"c0"})"});
  auto e = env();
  e["NZL_SIGNING_SECRET"] = "the secret text";
  ASSERT_EQ(run_cli({"keys", "create", "--name", "x"}, e).exit_code, 0);
  auto r = run_cli({"audit", "tail", "--status", "401", "--since", "2024-05-01T00:00:00+02:00"}, e);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto reqs = node_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  for (auto& req : reqs) {
    EXPECT_EQ(req.header("X-Nonce").size(), 24u);
    EXPECT_FALSE(req.header("X-Timestamp").empty());
    EXPECT_EQ(req.header("X-Signature"), expected_signature("the secret text", req)) << req.target;
    auto ts = req.header("X-Timestamp");
    auto nonce = req.header("X-Nonce");
    auto sig = req.header("X-Signature");
    EXPECT_EQ(security::verify_request("the secret text", {ts, nonce, sig}, req.method, req.target,
                                       req.body, std::stoll(ts)),
              security::signature_status::ok);
  }
  EXPECT_NE(reqs[0].header("X-Nonce"), reqs[1].header("X-Nonce"));
  EXPECT_EQ(r.out.find("the secret text"), std::string::npos);
}

TEST_F(CliProcessTest, UnreachableNodeExitsThree) {
  auto port = closed_port();
  auto r = run_cli(
      {"keys", "list", "--timeout-ms", "60000"},
      {{"NZL_NODE", "http://127.0.0.1:" + std::to_string(port)}, {"NZL_API_KEY", admin_key}});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("error: cannot reach the node at"), std::string::npos) << r.err;
  expect_no_admin_key(r);
}

TEST_F(CliProcessTest, NodeThatNeverAnswersTimesOutWithThree) {
  node_.answer("GET /v3/admin/keys", {200, "", "application/json", true});
  auto r = run({"keys", "list", "--timeout-ms", "300"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("300 ms"), std::string::npos) << r.err;
}

TEST_F(CliProcessTest, JsonPrintsTheNodesBodyAsIs) {
  std::string body = "{\"keys\": [],\n  \"extra\": 1}";
  node_.answer("GET /v3/admin/keys", {200, body});
  auto r = run({"keys", "list", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, body + "\n");
}

TEST_F(CliProcessTest, AuditTailSendsTheFiltersAndPrintsRecords) {
  node_.answer("GET /v3/admin/audit",
               {200, R"({"records":[{"seq":1,"time":"2024-05-01T12:00:00.123Z","key_id":null,
        "client_ip":"10.1.2.3","country":null,"method":"POST","path":"/v3/tasks",
        "task_type":"echo","status":401,"duration_ms":0.4,"request_id":"r1","rule":"no_key"}],
        "next":"c1"})"});
  auto r = run({"audit", "tail", "--key-id", "k_1", "--status", "401", "--limit", "5", "--since",
                "2024-05-01T00:00:00+02:00"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto req = node_.requests().at(0);
  // The key id filters; it is not the API key sent (that was --key's clash
  // with the global option).
  EXPECT_EQ(req.header("Authorization"), std::string{"Bearer "} + admin_key);
  EXPECT_EQ(r.err.find("visible to other users"), std::string::npos) << r.err;
  EXPECT_EQ(req.target, "/v3/admin/audit?limit=5&key=k_1&status=401&since=2024-05-01T00%3A00%"
                        "3A00%2B02%3A00");
  EXPECT_NE(r.out.find("TIME"), std::string::npos);
  EXPECT_NE(r.out.find("/v3/tasks"), std::string::npos);
  EXPECT_NE(r.out.find("no_key"), std::string::npos);
}

TEST_F(CliProcessTest, AuditTailFollowPollsWithTheCursorAndStopsOnSigterm) {
  node_.answer(
      "GET /v3/admin/audit",
      {200, R"({"records":[{"seq":1,"time":"t1","status":200,"path":"/a"}],"next":"c1"})"});
  node_.answer("GET /v3/admin/audit", {200, R"({"records":[],"next":"c1"})"});
  child_process child{{"audit", "tail", "--follow"}, env()};
  ASSERT_TRUE(node_.wait_for_requests(2));
  ASSERT_EQ(::kill(child.pid(), SIGTERM), 0);
  auto r = child.wait();
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto reqs = node_.requests();
  EXPECT_EQ(reqs[0].target.find("after="), std::string::npos);
  EXPECT_NE(reqs[1].target.find("&after=c1"), std::string::npos) << reqs[1].target;
  EXPECT_NE(r.out.find("/a"), std::string::npos);
}

TEST_F(CliProcessTest, AuditTailFollowKeepsColumnsOfAnEarlierWiderPage) {
  node_.answer("GET /v3/admin/audit",
               {200, R"({"records":[{"seq":1,"time":"t1","status":404,"method":"DELETE",
        "path":"/v3/admin/keys/k_0000000000000000/rotate","task_type":"wide"}],"next":"c1"})"});
  node_.answer("GET /v3/admin/audit",
               {200, R"({"records":[{"seq":2,"time":"t2","status":200,"method":"GET",
        "path":"/a","task_type":"narrow"}],"next":"c2"})"});
  node_.answer("GET /v3/admin/audit", {200, R"({"records":[],"next":"c2"})"});
  child_process child{{"audit", "tail", "--follow"}, env()};
  ASSERT_TRUE(node_.wait_for_requests(3));
  ASSERT_EQ(::kill(child.pid(), SIGTERM), 0);
  auto r = child.wait();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto column_of = [&](std::string_view cell) -> std::size_t {
    auto at = r.out.find(cell);
    if (at == std::string::npos)
      return std::string::npos;
    auto line_start = r.out.rfind('\n', at);
    return line_start == std::string::npos ? at : at - line_start - 1;
  };
  // The second page's TASK cell sits under the header's TASK, as the first's.
  EXPECT_EQ(column_of("narrow"), column_of("TASK")) << r.out;
  EXPECT_EQ(column_of("wide"), column_of("TASK")) << r.out;
}

TEST_F(CliProcessTest, PluginsListAndReload) {
  node_.answer("GET /v3/plugins",
               {200, R"({"plugins":[{"name":"core","version":"1.0.0","source":"builtin",
        "handlers":[{"type":"echo","calls":12,"errors":1,"mean_ms":0.2,"p95_ms":0.5}],
        "middleware":[{"name":"audit","order":10}]},
        {"name":"empty","version":"0.1.0","source":"plugins/empty.so","handlers":[],"middleware":[]}]})"});
  node_.answer(
      "POST /v3/admin/plugins/reload",
      {200, R"({"loaded":["core","extra"],"refused":[{"path":"bad.so","reason":"abi"}]})"});
  auto r = run({"plugins", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(
      r.out.find("PLUGIN  VERSION  SOURCE            HANDLER  CALLS  ERRORS  MEAN_MS  P95_MS"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("core    1.0.0    builtin           echo     12     1       0.2      0.5"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("audit"), std::string::npos);
  r = run({"plugins", "reload"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Loaded: core, extra"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("bad.so"), std::string::npos);
  EXPECT_EQ(node_.requests().back().method, "POST");
  EXPECT_EQ(node_.requests().back().target, "/v3/admin/plugins/reload");
}

TEST_F(CliProcessTest, UsageErrorsNeverContactTheNode) {
  auto r = run({"keys", "create", "--name", "x", "--scope", "superuser"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown scope 'superuser'"), std::string::npos) << r.err;
  EXPECT_TRUE(node_.requests().empty());
}

} // namespace
} // namespace nzl::cli::testing
