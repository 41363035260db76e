#include "net/outbound/http_client.hpp"
#include "tests/unit/outbound/loopback_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <string>
#include <thread>

namespace nzl::net::outbound {
namespace {

using testing::loopback_server;
using testing::make_certificate;
using testing::temp_dir;
using testing::test_certificate;

egress_rules loopback_allowed() {
  egress_rules rules;
  rules.allow_loopback = true;
  return rules;
}

// Sends one request and waits for its answer.
result<outbound_response> call(http_client& client, outbound_request req) {
  std::promise<result<outbound_response>> answer;
  auto future = answer.get_future();
  client.send(std::move(req),
              [&answer](result<outbound_response> r) { answer.set_value(std::move(r)); });
  return future.get();
}

outbound_request get(const std::string& url) {
  outbound_request req;
  req.method = "GET";
  req.url = url;
  return req;
}

std::string reason_of(const error& err) {
  return err.extensions.value("reason", "");
}

class HttpClientTest : public ::testing::Test {
protected:
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + path;
  }

  loopback_server server_;
  http_client client_{loopback_allowed()};
};

TEST_F(HttpClientTest, ReturnsStatusHeadersAndBody) {
  auto r = call(client_, get(url("/ok")));
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  EXPECT_FALSE(r->body_truncated);
  EXPECT_EQ(r->remote_address, "127.0.0.1");
  EXPECT_FALSE(r->cert_expires_unix);
  EXPECT_EQ(r->final_url, url("/ok"));
  EXPECT_EQ(r->redirects, 0u);
  EXPECT_GE(r->latency_ms, 0.0);
  bool found = false;
  for (auto& [name, value] : r->headers)
    found = found || (name == "X-Test" && value == "yes");
  EXPECT_TRUE(found);
}

TEST_F(HttpClientTest, SendsMethodHeadersAndBody) {
  outbound_request req;
  req.url = url("/echo?x=1");
  req.headers = {{"Content-Type", "application/json"},
                 {"webhook-id", "msg_1"},
                 {"X-Twice", "a"},
                 {"X-Twice", "b"}};
  req.body = R"({"id":"t1"})";
  auto r = call(client_, req);
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_EQ(r->status, 200);
  auto& echo = r->body;
  EXPECT_TRUE(echo.starts_with("POST /echo?x=1 HTTP/1.1\r\n")) << echo;
  EXPECT_NE(echo.find("Host: 127.0.0.1:" + std::to_string(server_.port()) + "\r\n"),
            std::string::npos);
  EXPECT_NE(echo.find("webhook-id: msg_1\r\n"), std::string::npos);
  EXPECT_NE(echo.find("X-Twice: a\r\nX-Twice: b\r\n"), std::string::npos);
  EXPECT_NE(echo.find("Content-Length: 11\r\n"), std::string::npos);
  EXPECT_NE(echo.find("User-Agent: "), std::string::npos);
  EXPECT_TRUE(echo.ends_with("\r\n\r\n" + req.body)) << echo;
}

TEST_F(HttpClientTest, HeadReadsNoBody) {
  auto req = get(url("/ok"));
  req.method = "HEAD";
  auto r = call(client_, req);
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "");
  EXPECT_FALSE(r->body_truncated);
}

TEST_F(HttpClientTest, CallsDoneOnTheClientsThread) {
  std::promise<std::thread::id> where;
  client_.send(get(url("/ok")), [&where](result<outbound_response>) {
    where.set_value(std::this_thread::get_id());
  });
  EXPECT_NE(where.get_future().get(), std::this_thread::get_id());
}

TEST_F(HttpClientTest, ServerErrorIsAStatusNotAFailure) {
  auto r = call(client_, get(url("/status/500")));
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, "boom");
}

TEST_F(HttpClientTest, SlowAnswerTimesOut) {
  auto req = get(url("/slow"));
  req.timeout_ms = 200;
  auto r = call(client_, req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::upstream_failed);
  EXPECT_EQ(reason_of(r.err()), "timeout") << r.err().detail;
}

TEST_F(HttpClientTest, HugeBodyIsTruncatedAtTheCap) {
  auto req = get(url("/huge"));
  req.max_response_bytes = 1000;
  auto r = call(client_, req);
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, std::string(1000, 'x'));
  EXPECT_TRUE(r->body_truncated);
}

TEST_F(HttpClientTest, BodyExactlyAtTheCapIsWhole) {
  auto req = get(url("/ok"));
  req.max_response_bytes = 5;
  auto r = call(client_, req);
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_EQ(r->body, "hello");
  EXPECT_FALSE(r->body_truncated);
  req.max_response_bytes = 4;
  r = call(client_, req);
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_EQ(r->body, "hell");
  EXPECT_TRUE(r->body_truncated);
}

TEST_F(HttpClientTest, ReadsChunkedAndCloseDelimitedBodies) {
  auto chunked = call(client_, get(url("/chunked")));
  ASSERT_TRUE(chunked) << chunked.err().detail;
  EXPECT_EQ(chunked->body, "chunk-one,chunk-two,chunk-three");
  auto until_close = call(client_, get(url("/until-close")));
  ASSERT_TRUE(until_close) << until_close.err().detail;
  EXPECT_EQ(until_close->body, "read until close");
}

TEST_F(HttpClientTest, FollowsRedirectsUpToTheLimit) {
  auto req = get(url("/redirect/3"));
  req.max_redirects = 3;
  auto r = call(client_, req);
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "landed");
  EXPECT_EQ(r->redirects, 3u);
  EXPECT_EQ(r->final_url, url("/redirect/0"));

  req.max_redirects = 2;
  r = call(client_, req);
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->redirects, 2u);
  EXPECT_EQ(r->final_url, url("/redirect/1"));

  req.max_redirects = 0;
  r = call(client_, req);
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->redirects, 0u);
  EXPECT_EQ(server_.connections(), 4u + 3u + 1u); // one connection per hop
}

TEST_F(HttpClientTest, SeeOtherTurnsPostIntoGet) {
  outbound_request req;
  req.url = url("/see-other");
  req.headers = {{"Content-Type", "application/json"}};
  req.body = "{}";
  req.max_redirects = 1;
  auto r = call(client_, req);
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_TRUE(r->body.starts_with("GET /echo HTTP/1.1\r\n")) << r->body;
  EXPECT_EQ(r->body.find("Content-Type"), std::string::npos);
  EXPECT_TRUE(r->body.ends_with("\r\n\r\n"));
}

TEST_F(HttpClientTest, TemporaryRedirectRepeatsMethodAndBody) {
  outbound_request req;
  req.url = url("/temporary");
  req.body = "same body";
  req.max_redirects = 1;
  auto r = call(client_, req);
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_TRUE(r->body.starts_with("POST /echo HTTP/1.1\r\n")) << r->body;
  EXPECT_TRUE(r->body.ends_with("\r\n\r\nsame body"));
}

TEST_F(HttpClientTest, UnusableRedirectLocationFails) {
  auto req = get(url("/bad-location"));
  req.max_redirects = 1;
  auto r = call(client_, req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::upstream_failed);
  EXPECT_EQ(reason_of(r.err()), "redirect");
}

TEST_F(HttpClientTest, MalformedOrMissingAnswersFail) {
  for (const char* path : {"/garbage", "/close"}) {
    auto r = call(client_, get(url(path)));
    ASSERT_FALSE(r) << path;
    EXPECT_EQ(r.err().code, errc::upstream_failed) << path;
    EXPECT_EQ(reason_of(r.err()), "malformed_response") << path << ": " << r.err().detail;
  }
}

TEST_F(HttpClientTest, RefusedConnectionFails) {
  std::uint16_t closed_port = 0;
  {
    // A port that was just free; nothing listens there any more.
    loopback_server gone;
    closed_port = gone.port();
  }
  auto r = call(client_, get("http://127.0.0.1:" + std::to_string(closed_port) + "/"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::upstream_failed);
  EXPECT_EQ(reason_of(r.err()), "connect") << r.err().detail;
}

TEST_F(HttpClientTest, InvalidRequestsAreRefusedBeforeAnyIo) {
  std::vector<outbound_request> bad(6, get(url("/ok")));
  bad[0].url = "ftp://127.0.0.1/";
  bad[1].url = "http://user@127.0.0.1/";
  bad[2].headers = {{"X-Bad", "a\r\nInjected: yes"}};
  bad[3].headers = {{"Host", "elsewhere"}};
  bad[4].method = "GE T";
  bad[5].timeout_ms = 0;
  for (auto& req : bad) {
    auto r = call(client_, req);
    ASSERT_FALSE(r) << req.url;
    EXPECT_EQ(r.err().code, errc::invalid_field) << r.err().detail;
  }
  EXPECT_EQ(server_.connections(), 0u);
}

TEST_F(HttpClientTest, ManyConcurrentRequestsAllComplete) {
  http_client client{loopback_allowed(), 2};
  constexpr int n = 32;
  std::atomic<int> ok{0};
  std::atomic<int> calls{0};
  std::promise<void> all_done;
  for (int i = 0; i < n; ++i)
    client.send(get(url("/ok")), [&](result<outbound_response> r) {
      if (r && r->status == 200 && r->body == "hello")
        ++ok;
      if (++calls == n)
        all_done.set_value();
    });
  all_done.get_future().get();
  EXPECT_EQ(ok.load(), n);
}

TEST_F(HttpClientTest, DestructorCompletesOutstandingRequests) {
  std::atomic<int> calls{0};
  std::promise<error> failure;
  {
    http_client client{loopback_allowed()};
    auto req = get(url("/slow"));
    req.timeout_ms = 600'000;
    client.send(req, [&](result<outbound_response> r) {
      ++calls;
      failure.set_value(r ? error{} : r.err());
    });
    ASSERT_TRUE(server_.wait_for_connections(1));
  }
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(failure.get_future().get().code, errc::unavailable);
}

TEST_F(HttpClientTest, InvalidEgressRulesFailEveryCall) {
  egress_rules rules = loopback_allowed();
  rules.deny_cidrs = {"not-a-cidr"};
  http_client client{rules};
  auto r = call(client, get(url("/ok")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::invalid_field);
  EXPECT_EQ(server_.connections(), 0u);
}

// Egress: refused before connecting. The proof that no connection was made:
// an allowed call made afterwards is the server's first connection.
TEST_F(HttpClientTest, LoopbackIsRefusedBeforeConnecting) {
  http_client strict{egress_rules{}};
  auto r = call(strict, get(url("/ok")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::egress_denied);
  EXPECT_EQ(r.err().extensions.value("address", ""), "127.0.0.1");
  EXPECT_EQ(r.err().extensions.value("rule", ""), "loopback");
  EXPECT_NE(r.err().detail.find("127.0.0.1"), std::string::npos);
  ASSERT_TRUE(call(client_, get(url("/ok"))));
  EXPECT_EQ(server_.connections(), 1u);
}

TEST_F(HttpClientTest, NameResolvingToLoopbackIsRefused) {
  http_client strict{egress_rules{}};
  auto r = call(strict, get("http://localhost:" + std::to_string(server_.port()) + "/ok"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::egress_denied) << r.err().detail;
  EXPECT_EQ(r.err().extensions.value("host", ""), "localhost");
  EXPECT_NE(r.err().detail.find("localhost"), std::string::npos);
  ASSERT_TRUE(call(client_, get(url("/ok"))));
  EXPECT_EQ(server_.connections(), 1u);
}

TEST_F(HttpClientTest, DenyCidrBeatsAllowLoopback) {
  egress_rules rules = loopback_allowed();
  rules.deny_cidrs = {"127.0.0.0/8"};
  http_client strict{rules};
  auto r = call(strict, get(url("/ok")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().extensions.value("rule", ""), "deny_cidrs");
  EXPECT_EQ(server_.connections(), 0u);
}

TEST_F(HttpClientTest, EveryRedirectHopIsChecked) {
  // 127.0.0.1 is allowed by CIDR; the redirect to [::1] is loopback, denied.
  egress_rules rules;
  rules.allow_cidrs = {"127.0.0.1/32"};
  http_client strict{rules};
  auto req = get(url("/to-v6"));
  req.max_redirects = 5;
  auto r = call(strict, req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::egress_denied);
  EXPECT_EQ(r.err().extensions.value("address", ""), "::1");
  EXPECT_EQ(server_.connections(), 1u);
}

class HttpsClientTest : public ::testing::Test {
protected:
  std::string url(const loopback_server& server, const std::string& path,
                  const std::string& host = "127.0.0.1") const {
    return "https://" + host + ":" + std::to_string(server.port()) + path;
  }

  temp_dir dir_;
  test_certificate cert_ =
      make_certificate(dir_.path(), "loopback", "IP:127.0.0.1,IP:::1,DNS:localhost");
};

TEST_F(HttpsClientTest, SelfSignedCertificateFailsAgainstTheSystemStore) {
  loopback_server server{&cert_};
  http_client client{loopback_allowed()};
  auto r = call(client, get(url(server, "/ok")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::upstream_failed);
  EXPECT_EQ(reason_of(r.err()), "certificate") << r.err().detail;
}

TEST_F(HttpsClientTest, TrustedCaSucceedsAndReportsExpiry) {
  loopback_server server{&cert_};
  http_client_options options;
  options.egress = loopback_allowed();
  options.ca_file = cert_.cert_file;
  http_client client{options};
  auto r = call(client, get(url(server, "/ok")));
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  ASSERT_TRUE(r->cert_expires_unix);
  EXPECT_EQ(*r->cert_expires_unix, cert_.not_after);

  // By name: SNI and the DNS name check.
  auto by_name = call(client, get(url(server, "/chunked", "localhost")));
  ASSERT_TRUE(by_name) << by_name.err().detail;
  EXPECT_EQ(by_name->body, "chunk-one,chunk-two,chunk-three");

  // A body ended by closing the TLS connection without close_notify.
  auto until_close = call(client, get(url(server, "/until-close")));
  ASSERT_TRUE(until_close) << until_close.err().detail;
  EXPECT_EQ(until_close->body, "read until close");

  auto big = get(url(server, "/huge"));
  big.max_response_bytes = 20000;
  auto truncated = call(client, big);
  ASSERT_TRUE(truncated) << truncated.err().detail;
  EXPECT_EQ(truncated->body.size(), 20000u);
  EXPECT_TRUE(truncated->body_truncated);
}

TEST_F(HttpsClientTest, NameNotInTheCertificateFails) {
  auto other = make_certificate(dir_.path(), "other", "DNS:other.invalid");
  loopback_server server{&other};
  http_client_options options;
  options.egress = loopback_allowed();
  options.ca_file = other.cert_file;
  http_client client{options};
  auto r = call(client, get(url(server, "/ok")));
  ASSERT_FALSE(r);
  EXPECT_EQ(reason_of(r.err()), "certificate") << r.err().detail;
  auto by_name = call(client, get(url(server, "/ok", "localhost")));
  ASSERT_FALSE(by_name);
  EXPECT_EQ(reason_of(by_name.err()), "certificate") << by_name.err().detail;
}

TEST_F(HttpsClientTest, UnreadableCaFileFailsHttpsCalls) {
  loopback_server server{&cert_};
  http_client_options options;
  options.egress = loopback_allowed();
  options.ca_file = (dir_.path() / "missing.pem").string();
  http_client client{options};
  auto r = call(client, get(url(server, "/ok")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::invalid_field) << r.err().detail;
  EXPECT_EQ(server.connections(), 0u);
}

} // namespace
} // namespace nzl::net::outbound
