// The request fields the gateway reads: the peer's address, TLS, and the
// authentication and forwarding headers, as the api receives them.
#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/http_server/test_server.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace nzl::test {
namespace {

using namespace std::chrono_literals;

const header_list gateway_headers = {
    {"Authorization", "Bearer token-1"},
    {"x-api-key", "key-1"}, // names match in any letter case
    {"X-Timestamp", "1767225600"},
    {"X-Nonce", "n-1"},
    {"X-Signature", "sig-1"},
    {"X-Forwarded-For", "203.0.113.7"},
    {"X-Forwarded-For", "198.51.100.2, 192.0.2.1"},
    {"CF-IPCountry", "NZ"},
    {"Idempotency-Key", "idem-1"},
    {"X-Request-Id", "req-fields-1"},
};

void expect_gateway_fields(const net::http_request& req) {
  EXPECT_EQ(req.authorization, "Bearer token-1");
  EXPECT_EQ(req.api_key, "key-1");
  EXPECT_EQ(req.timestamp, "1767225600");
  EXPECT_EQ(req.nonce, "n-1");
  EXPECT_EQ(req.signature, "sig-1");
  EXPECT_EQ(req.forwarded_for, "203.0.113.7, 198.51.100.2, 192.0.2.1");
  EXPECT_EQ(req.country, "NZ");
  EXPECT_EQ(req.idempotency_key, "idem-1");
  EXPECT_EQ(req.request_id, "req-fields-1");
}

class HttpServerRequestFieldsTest : public ::testing::Test {
protected:
  void start(net::server_options options = {}) {
    server_ = std::make_unique<test_server>(std::move(options));
    auto port = server_->start();
    ASSERT_TRUE(port) << port.err().detail;
    port_ = *port;
  }

  std::unique_ptr<test_server> server_;
  std::uint16_t port_ = 0;
};

TEST_F(HttpServerRequestFieldsTest, PlainRequestCarriesPeerAndHeaders) {
  start();
  http_client client{port_, 10s};
  auto reply = client.request("GET", "/health", {}, gateway_headers);
  ASSERT_TRUE(reply) << client.error();
  EXPECT_EQ(reply->status, 200u);
  auto requests = server_->requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& req = requests.front();
  EXPECT_EQ(req.peer_address, "127.0.0.1");
  EXPECT_FALSE(req.tls);
  EXPECT_EQ(req.method, net::http_method::get);
  EXPECT_EQ(req.target, "/health");
  expect_gateway_fields(req);
}

TEST_F(HttpServerRequestFieldsTest, AbsentHeadersAreEmpty) {
  start();
  http_client client{port_, 10s};
  client.set_api_key("");
  auto reply = client.request("GET", "/health");
  ASSERT_TRUE(reply) << client.error();
  auto requests = server_->requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& req = requests.front();
  EXPECT_EQ(req.peer_address, "127.0.0.1");
  EXPECT_TRUE(req.authorization.empty());
  EXPECT_TRUE(req.api_key.empty());
  EXPECT_TRUE(req.timestamp.empty());
  EXPECT_TRUE(req.nonce.empty());
  EXPECT_TRUE(req.signature.empty());
  EXPECT_TRUE(req.forwarded_for.empty());
  EXPECT_TRUE(req.country.empty());
  EXPECT_TRUE(req.idempotency_key.empty());
  EXPECT_TRUE(req.content_type.empty());
  EXPECT_FALSE(req.request_id.empty()); // generated
  EXPECT_EQ(reply->header("X-Request-Id"), req.request_id);
}

TEST_F(HttpServerRequestFieldsTest, FirstInstanceOfRepeatedHeaderWins) {
  start();
  http_client client{port_, 10s};
  auto reply =
      client.request("GET", "/health", {}, {{"X-API-Key", "first"}, {"X-API-Key", "second"}});
  ASSERT_TRUE(reply) << client.error();
  auto requests = server_->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests.front().api_key, "first");
}

TEST_F(HttpServerRequestFieldsTest, KeepAliveRequestsEachCarryTheirOwnHeaders) {
  start();
  http_client client{port_, 10s};
  ASSERT_TRUE(client.request("GET", "/health", {}, gateway_headers)) << client.error();
  ASSERT_TRUE(client.request("GET", "/health")) << client.error();
  auto requests = server_->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].api_key, "key-1");
  EXPECT_TRUE(requests[1].api_key.empty());
  EXPECT_TRUE(requests[1].forwarded_for.empty());
  EXPECT_EQ(requests[1].peer_address, "127.0.0.1");
}

TEST_F(HttpServerRequestFieldsTest, ContentTypeAndBodyStillReachTheApi) {
  start();
  http_client client{port_, 10s};
  auto reply = client.post("/v3/tasks", R"({"type":"echo","payload":{"n":1}})");
  ASSERT_TRUE(reply) << client.error();
  EXPECT_EQ(reply->status, 200u);
  auto requests = server_->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests.front().content_type, "application/json");
  EXPECT_EQ(requests.front().body, R"({"type":"echo","payload":{"n":1}})");
}

TEST_F(HttpServerRequestFieldsTest, Ipv6PeerWithoutBrackets) {
  if (!have_program("curl"))
    GTEST_SKIP() << "needs curl";
  net::server_options options;
  options.host = "::1";
  server_ = std::make_unique<test_server>(options);
  auto port = server_->start();
  if (!port)
    GTEST_SKIP() << "no IPv6 loopback: " << port.err().detail;
  auto res = run_command("curl -sS --max-time 20 -o /dev/null -w '%{http_code}' http://[::1]:" +
                         std::to_string(*port) + "/health");
  ASSERT_EQ(res.exit_code, 0) << res.output;
  auto requests = server_->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests.front().peer_address, "::1");
}

TEST_F(HttpServerRequestFieldsTest, HttpsRequestCarriesTlsPeerAndHeaders) {
  if (!have_program("openssl") || !have_program("curl"))
    GTEST_SKIP() << "needs the openssl and curl programs on PATH";
  temp_dir dir;
  std::string why;
  auto cert = make_certificate(dir.path(), why);
  ASSERT_TRUE(cert) << why;
  net::server_options options;
  options.tls.cert_file = cert->cert.string();
  options.tls.key_file = cert->key.string();
  start(options);
  std::string command = "curl -sS --max-time 20 -o /dev/null -w '%{http_code}' --cacert " +
                        sh_quote(cert->cert.string());
  for (const auto& [name, value] : gateway_headers)
    command += " -H " + sh_quote(name + ": " + value);
  command += " https://127.0.0.1:" + std::to_string(port_) + "/health";
  auto res = run_command(command);
  ASSERT_EQ(res.exit_code, 0) << res.output;
  EXPECT_EQ(res.output, "200");
  auto requests = server_->requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& req = requests.front();
  EXPECT_EQ(req.peer_address, "127.0.0.1");
  EXPECT_TRUE(req.tls);
  expect_gateway_fields(req);
}

} // namespace
} // namespace nzl::test
