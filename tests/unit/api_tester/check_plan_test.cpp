#include "plugins/api_tester/check_plan.hpp"

#include <gtest/gtest.h>

namespace nzl::plugins::api_tester {
namespace {

using nlohmann::json;
namespace outbound = net::outbound;

std::string field_of(const result<check_plan>& r) {
  return r ? "" : r.err().extensions.value("field", "");
}

json one(json endpoint) {
  return json{{"endpoints", json::array({std::move(endpoint)})}};
}

class ApiTesterPlanTest : public ::testing::Test {
protected:
  result<check_plan> parse(const json& payload) const { return parse_plan(payload, limits_); }
  api_tester_limits limits_;
};

TEST_F(ApiTesterPlanTest, MinimalEndpointGetsDefaults) {
  auto r = parse(one({{"url", "https://example.com/health"}}));
  ASSERT_TRUE(r) << r.err().detail;
  ASSERT_EQ(r->checks.size(), 1u);
  const auto& c = r->checks[0];
  EXPECT_EQ(c.method, "GET");
  EXPECT_EQ(c.timeout_ms, limits_.default_timeout_ms);
  EXPECT_EQ(c.max_redirects, limits_.max_redirects);
  EXPECT_TRUE(c.expect_status.empty());
  EXPECT_EQ(r->concurrency, 1u); // never more than the endpoints
}

TEST_F(ApiTesterPlanTest, FullEndpointIsParsed) {
  auto r = parse({{"endpoints",
                   {{{"url", "http://127.0.0.1:8080/x"},
                     {"method", "post"},
                     {"headers", {{"X-A", "1"}}},
                     {"body", {{"k", "v"}}},
                     {"expect_status", {200, 201}},
                     {"expect_body_contains", "ok"},
                     {"timeout_ms", 1500},
                     {"max_redirects", 0}}}},
                  {"concurrency", 8}});
  ASSERT_TRUE(r) << r.err().detail;
  const auto& c = r->checks[0];
  EXPECT_EQ(c.method, "POST");
  EXPECT_EQ(c.body, R"({"k":"v"})");
  ASSERT_EQ(c.headers.size(), 2u);
  EXPECT_EQ(c.headers[1].first, "Content-Type"); // added for a JSON body
  EXPECT_EQ(c.expect_status, (std::vector<int>{200, 201}));
  EXPECT_EQ(c.expect_body_contains, "ok");
  EXPECT_EQ(c.timeout_ms, 1500u);
  EXPECT_EQ(c.max_redirects, 0u);
  EXPECT_EQ(r->concurrency, 8u);
  auto req = to_request(c, 1234);
  EXPECT_EQ(req.max_response_bytes, 1234u);
  EXPECT_EQ(req.timeout_ms, 1500u);
}

TEST_F(ApiTesterPlanTest, FieldErrorsNameTheField) {
  json good = {{"url", "https://example.com/"}};
  auto with = [&](const char* key, json value) {
    json e = good;
    e[key] = std::move(value);
    json endpoints = json::array({good, good, e});
    return json{{"endpoints", endpoints}};
  };
  EXPECT_EQ(field_of(parse(with("url", "ftp://example.com/"))), "endpoints[2].url");
  EXPECT_EQ(field_of(parse(with("url", 3))), "endpoints[2].url");
  EXPECT_EQ(field_of(parse(with("url", "http://user@example.com/"))), "endpoints[2].url");
  EXPECT_EQ(field_of(parse(with("method", "BREW"))), "endpoints[2].method");
  EXPECT_EQ(field_of(parse(with("headers", {{"Host", "x"}}))), "endpoints[2].headers.Host");
  EXPECT_EQ(field_of(parse(with("headers", {{"Bad Name", "x"}}))), "endpoints[2].headers.Bad Name");
  EXPECT_EQ(field_of(parse(with("headers", {{"X", "a\r\nb"}}))), "endpoints[2].headers.X");
  EXPECT_EQ(field_of(parse(with("headers", {{"X", 1}}))), "endpoints[2].headers.X");
  EXPECT_EQ(field_of(parse(with("expect_status", 600))), "endpoints[2].expect_status");
  EXPECT_EQ(field_of(parse(with("expect_status", {200, "x"}))), "endpoints[2].expect_status[1]");
  EXPECT_EQ(field_of(parse(with("expect_body_contains", ""))), "endpoints[2].expect_body_contains");
  EXPECT_EQ(field_of(parse(with("timeout_ms", 0))), "endpoints[2].timeout_ms");
  EXPECT_EQ(field_of(parse(with("timeout_ms", 30'001))), "endpoints[2].timeout_ms");
  EXPECT_EQ(field_of(parse(with("max_redirects", 6))), "endpoints[2].max_redirects");
  EXPECT_EQ(field_of(parse(with("body", std::string(64 * 1024 + 1, 'x')))), "endpoints[2].body");
  EXPECT_EQ(field_of(parse(with("surprise", 1))), "endpoints[2].surprise");
  auto r = parse(with("method", "BREW"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::invalid_field);
}

TEST_F(ApiTesterPlanTest, PayloadLevelErrors) {
  EXPECT_EQ(field_of(parse(json::array())), "payload");
  EXPECT_EQ(field_of(parse(json::object())), "endpoints");
  EXPECT_EQ(field_of(parse(json{{"endpoints", json::array()}})), "endpoints");
  json many = json::array();
  for (int i = 0; i < 51; ++i)
    many.push_back({{"url", "https://example.com/"}});
  EXPECT_EQ(field_of(parse(json{{"endpoints", many}})), "endpoints");
  json fine = one({{"url", "https://example.com/"}});
  fine["concurrency"] = 17;
  EXPECT_EQ(field_of(parse(fine)), "concurrency");
  fine["concurrency"] = 0;
  EXPECT_EQ(field_of(parse(fine)), "concurrency");
  fine.erase("concurrency");
  fine["extra"] = true;
  EXPECT_EQ(field_of(parse(fine)), "extra");
}

endpoint_check check_of(json e) {
  api_tester_limits limits;
  auto r = parse_plan(one(std::move(e)), limits);
  EXPECT_TRUE(r);
  return r->checks[0];
}

outbound::outbound_response response(int status, std::string body = "") {
  outbound::outbound_response r;
  r.status = status;
  r.body = std::move(body);
  r.latency_ms = 12.34;
  r.final_url = "http://127.0.0.1/x";
  r.remote_address = "127.0.0.1";
  return r;
}

TEST_F(ApiTesterPlanTest, DefaultExpectationIsAny2xx) {
  auto c = check_of({{"url", "http://h/"}});
  auto j = judge(c, response(204), 0, 0);
  EXPECT_TRUE(j["passed"]);
  EXPECT_EQ(j["status"], 204);
  EXPECT_EQ(j["latency_ms"], 12.3);
  j = judge(c, response(500), 0, 0);
  EXPECT_FALSE(j["passed"]);
  EXPECT_EQ(j["reasons"][0]["code"], "status_mismatch");
}

TEST_F(ApiTesterPlanTest, StatusAndBodyExpectations) {
  auto c =
      check_of({{"url", "http://h/"}, {"expect_status", 404}, {"expect_body_contains", "gone"}});
  EXPECT_TRUE(judge(c, response(404, "it is gone"), 0, 0)["passed"]);
  auto j = judge(c, response(200, "here"), 0, 0);
  ASSERT_EQ(j["reasons"].size(), 2u);
  EXPECT_EQ(j["reasons"][0]["code"], "status_mismatch");
  EXPECT_EQ(j["reasons"][1]["code"], "body_mismatch");
}

TEST_F(ApiTesterPlanTest, RedirectAtTheLimitIsNamed) {
  auto c = check_of({{"url", "http://h/"}, {"max_redirects", 2}});
  auto r = response(302);
  r.headers.emplace_back("Location", "/next");
  r.redirects = 2;
  auto j = judge(c, r, 0, 0);
  EXPECT_EQ(j["reasons"][0]["code"], "too_many_redirects");
}

TEST_F(ApiTesterPlanTest, OutboundErrorsAreFailedChecksWithTheirReason) {
  auto c = check_of({{"url", "http://h/"}});
  auto denied = fail(errc::egress_denied, "127.0.0.1 is loopback",
                     {{"address", "127.0.0.1"}, {"rule", "loopback"}});
  auto j = judge(c, denied, 1.0, 0);
  EXPECT_FALSE(j["passed"]);
  EXPECT_TRUE(j["status"].is_null());
  EXPECT_EQ(j["reasons"][0]["code"], "egress_denied");
  EXPECT_EQ(j["reasons"][0]["rule"], "loopback");
  EXPECT_EQ(j["reasons"][0]["address"], "127.0.0.1");
  auto timeout = fail(errc::upstream_failed, "slow", {{"reason", "timeout"}});
  EXPECT_EQ(judge(c, timeout, 1, 0)["reasons"][0]["code"], "timeout");
  auto cert = fail(errc::upstream_failed, "untrusted", {{"reason", "certificate"}});
  EXPECT_EQ(judge(c, cert, 1, 0)["reasons"][0]["code"], "tls_error");
  auto refused = fail(errc::upstream_failed, "refused", {{"reason", "connect"}});
  EXPECT_EQ(judge(c, refused, 1, 0)["reasons"][0]["code"], "connect_failed");
}

TEST_F(ApiTesterPlanTest, CertificateExpiryAndDaysLeft) {
  auto c = check_of({{"url", "https://h/"}});
  auto r = response(200);
  r.cert_expires_unix = 1'700'000'000;
  auto j = judge(c, r, 0, 1'700'000'000 - 3 * 86400 - 5);
  EXPECT_EQ(j["tls"]["days_left"], 3);
  EXPECT_EQ(j["tls"]["cert_expires_at"], "2023-11-14T22:13:20.000Z");
  j = judge(c, r, 0, 1'700'000'000 + 10);
  EXPECT_EQ(j["tls"]["days_left"], -1); // expired
  EXPECT_FALSE(judge(c, response(200), 0, 0).contains("tls"));
}

TEST_F(ApiTesterPlanTest, SummaryCountsAndLatencies) {
  std::vector<json> judged = {{{"passed", true}, {"latency_ms", 10.0}},
                              {{"passed", false}, {"latency_ms", 30.0}},
                              {{"passed", true}, {"latency_ms", 20.0}}};
  auto s = summarise(judged);
  EXPECT_EQ(s["total"], 3);
  EXPECT_EQ(s["passed"], 2);
  EXPECT_EQ(s["failed"], 1);
  EXPECT_EQ(s["latency_p50_ms"], 20.0);
  EXPECT_EQ(s["latency_max_ms"], 30.0);
}

} // namespace
} // namespace nzl::plugins::api_tester
