// api-tester against servers this test starts on 127.0.0.1 (net/outbound's
// test server), through a real outbound client. Only loopback addresses are
// ever aimed at; refusals are proven by the server seeing no connection.
#include "core/time.hpp"
#include "net/outbound/http_client.hpp"
#include "plugins/api_tester/api_tester_handler.hpp"
#include "tests/unit/outbound/loopback_server.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nzl::plugins::api_tester {
namespace {

using nlohmann::json;
namespace outbound = net::outbound;
using outbound::testing::loopback_server;
using outbound::testing::make_certificate;
using outbound::testing::temp_dir;
using outbound::testing::test_certificate;

class recording_context : public handler_context {
public:
  void progress(int percent, std::string_view stage) override {
    percents.push_back(percent);
    stages.emplace_back(stage);
  }
  bool cancelled() const noexcept override {
    return cancel_after_progress > 0 && percents.size() >= cancel_after_progress;
  }
  std::string_view region() const noexcept override { return "local"; }

  std::vector<int> percents;
  std::vector<std::string> stages;
  std::size_t cancel_after_progress = 0; ///< 0: never
};

std::shared_ptr<outbound::http_client> client_with(outbound::egress_rules rules,
                                                   std::string ca_file = {}) {
  outbound::http_client_options opts;
  opts.egress = std::move(rules);
  opts.io_threads = 2;
  opts.ca_file = std::move(ca_file);
  return std::make_shared<outbound::http_client>(opts);
}

outbound::egress_rules loopback_allowed() {
  outbound::egress_rules rules;
  rules.allow_loopback = true;
  return rules;
}

const json& reason_of(const json& endpoint) {
  return endpoint["reasons"][0];
}

class ApiTesterLoopbackTest : public ::testing::Test {
protected:
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + path;
  }

  result<json> run(api_tester_handler& h, json payload) { return h.run(std::move(payload), ctx_); }

  loopback_server server_;
  recording_context ctx_;
  api_tester_handler handler_{client_with(loopback_allowed())};
};

TEST_F(ApiTesterLoopbackTest, MixedEndpointsReportEachAndASummary) {
  auto out = run(handler_, {{"endpoints",
                             {{{"url", url("/ok")}, {"expect_body_contains", "hello"}},
                              {{"url", url("/status/500")}},
                              {{"url", url("/status/500")}, {"expect_status", 500}},
                              {{"url", url("/slow")}, {"timeout_ms", 300}},
                              {{"url", url("/ok")}, {"expect_body_contains", "absent"}}}},
                            {"concurrency", 5}});
  ASSERT_TRUE(out) << out.err().detail;
  const auto& e = (*out)["endpoints"];
  ASSERT_EQ(e.size(), 5u);
  EXPECT_TRUE(e[0]["passed"]);
  EXPECT_EQ(e[0]["status"], 200);
  EXPECT_EQ(e[0]["url"], url("/ok"));
  EXPECT_EQ(e[0]["method"], "GET");
  EXPECT_EQ(e[0]["remote_address"], "127.0.0.1");
  EXPECT_FALSE(e[0].contains("tls"));
  EXPECT_FALSE(e[1]["passed"]);
  EXPECT_EQ(reason_of(e[1])["code"], "status_mismatch");
  EXPECT_TRUE(e[2]["passed"]);
  EXPECT_FALSE(e[3]["passed"]);
  EXPECT_TRUE(e[3]["status"].is_null());
  EXPECT_EQ(reason_of(e[3])["code"], "timeout");
  EXPECT_EQ(reason_of(e[4])["code"], "body_mismatch");
  const auto& s = (*out)["summary"];
  EXPECT_EQ(s["total"], 5);
  EXPECT_EQ(s["passed"], 2);
  EXPECT_EQ(s["failed"], 3);
  EXPECT_GE(s["latency_max_ms"].get<double>(), s["latency_p50_ms"].get<double>());
}

TEST_F(ApiTesterLoopbackTest, EveryCheckStreamsAProgressStep) {
  json endpoints = json::array();
  for (int i = 0; i < 6; ++i)
    endpoints.push_back({{"url", url("/ok")}});
  auto out = run(handler_, {{"endpoints", endpoints}, {"concurrency", 2}});
  ASSERT_TRUE(out) << out.err().detail;
  ASSERT_EQ(ctx_.percents.size(), 6u);
  for (std::size_t i = 1; i < ctx_.percents.size(); ++i)
    EXPECT_GT(ctx_.percents[i], ctx_.percents[i - 1]);
  EXPECT_EQ(ctx_.percents.back(), 100);
  EXPECT_EQ(ctx_.stages[0].rfind("checked endpoints[", 0), 0u);
  EXPECT_EQ(server_.connections(), 6u);
}

TEST_F(ApiTesterLoopbackTest, SendsMethodHeadersAndBody) {
  auto out = run(handler_, {{"endpoints",
                             {{{"url", url("/echo")},
                               {"method", "PUT"},
                               {"headers", {{"X-Probe", "p-123"}}},
                               {"body", {{"k", "v"}}},
                               {"expect_body_contains", "X-Probe: p-123"}}}}});
  ASSERT_TRUE(out) << out.err().detail;
  EXPECT_TRUE((*out)["endpoints"][0]["passed"]) << out->dump();
}

TEST_F(ApiTesterLoopbackTest, FollowsRedirectChainsUpToTheLimit) {
  auto out = run(handler_, {{"endpoints",
                             {{{"url", url("/redirect/3")}, {"expect_body_contains", "landed"}},
                              {{"url", url("/redirect/9")}},
                              {{"url", url("/redirect/2")}, {"max_redirects", 0}}}}});
  ASSERT_TRUE(out) << out.err().detail;
  const auto& e = (*out)["endpoints"];
  EXPECT_TRUE(e[0]["passed"]);
  EXPECT_EQ(e[0]["redirects"], 3);
  EXPECT_EQ(e[0]["final_url"], url("/redirect/0"));
  EXPECT_FALSE(e[1]["passed"]);
  EXPECT_EQ(e[1]["redirects"], 5); // the handler's limit
  EXPECT_EQ(reason_of(e[1])["code"], "too_many_redirects");
  EXPECT_EQ(e[2]["status"], 302);
  EXPECT_EQ(reason_of(e[2])["code"], "too_many_redirects");
}

TEST_F(ApiTesterLoopbackTest, RedirectToADeniedAddressIsRefused) {
  // 127.0.0.1 is allowed by CIDR; the redirect points at [::1], loopback.
  outbound::egress_rules rules;
  rules.allow_cidrs = {"127.0.0.1/32"};
  api_tester_handler strict{client_with(rules)};
  auto out = run(strict, {{"endpoints", {{{"url", url("/to-v6")}}}}});
  ASSERT_TRUE(out) << out.err().detail;
  const auto& e = (*out)["endpoints"][0];
  EXPECT_FALSE(e["passed"]);
  EXPECT_EQ(reason_of(e)["code"], "egress_denied");
  EXPECT_EQ(reason_of(e)["rule"], "loopback");
  EXPECT_EQ(reason_of(e)["address"], "::1");
  EXPECT_EQ(server_.connections(), 1u); // the first hop only
}

TEST_F(ApiTesterLoopbackTest, HugeBodyIsReadOnlyUpToTheCap) {
  auto out = run(handler_, {{"endpoints",
                             {{{"url", url("/huge")}},
                              {{"url", url("/huge")}, {"expect_body_contains", "not-there"}}}}});
  ASSERT_TRUE(out) << out.err().detail;
  const auto& e = (*out)["endpoints"];
  EXPECT_TRUE(e[0]["passed"]);
  EXPECT_TRUE(e[0]["body_truncated"]);
  EXPECT_EQ(e[0]["body_bytes"], 64 * 1024);
  EXPECT_EQ(reason_of(e[1])["code"], "body_mismatch");
  EXPECT_NE(reason_of(e[1])["detail"].get<std::string>().find("not read"), std::string::npos);
}

TEST_F(ApiTesterLoopbackTest, CancellationStopsWaiting) {
  ctx_.cancel_after_progress = 1;
  auto out =
      run(handler_,
          {{"endpoints", {{{"url", url("/ok")}}, {{"url", url("/slow")}, {"timeout_ms", 30000}}}},
           {"concurrency", 2}});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.err().code, errc::task_cancelled);
  EXPECT_EQ(out.err().extensions["completed"], 1);
  EXPECT_EQ(out.err().extensions["total"], 2);
}

TEST_F(ApiTesterLoopbackTest, InvalidPayloadIsAFieldErrorBeforeAnyCall) {
  auto out = run(handler_, {{"endpoints", {{{"url", url("/ok")}}, {{"url", "gopher://x/"}}}}});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.err().code, errc::invalid_field);
  EXPECT_EQ(out.err().extensions["field"], "endpoints[1].url");
  EXPECT_EQ(server_.connections(), 0u);
}

// Every egress refusal, with loopback denied (the default rules). All are
// refused after resolution and before connecting: the server sees nothing.
TEST_F(ApiTesterLoopbackTest, EgressRefusalsAreFailedChecksAndNeverConnect) {
  api_tester_handler strict{client_with({})};
  auto port = std::to_string(server_.port());
  struct refusal {
    std::string url;
    std::string rule;
  };
  std::vector<refusal> cases = {
      {"http://127.0.0.1:" + port + "/ok", "loopback"},
      {"http://127.0.0.2:" + port + "/ok", "loopback"},
      {"http://localhost:" + port + "/ok", "loopback"}, // a name pointing inside
      {"http://[::1]:" + port + "/ok", "loopback"},
      {"http://[::ffff:127.0.0.1]:" + port + "/ok", "loopback"}, // IPv4-mapped
      {"http://0.0.0.0:" + port + "/ok", "unspecified"},
      {"https://127.0.0.1:" + port + "/ok", "loopback"},
  };
  json endpoints = json::array();
  for (const auto& c : cases)
    endpoints.push_back({{"url", c.url}});
  auto out = run(strict, {{"endpoints", endpoints}, {"concurrency", 4}});
  ASSERT_TRUE(out) << out.err().detail;
  const auto& e = (*out)["endpoints"];
  ASSERT_EQ(e.size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].url);
    EXPECT_FALSE(e[i]["passed"]);
    EXPECT_EQ(reason_of(e[i])["code"], "egress_denied");
    EXPECT_EQ(reason_of(e[i])["rule"], cases[i].rule);
  }
  EXPECT_EQ((*out)["summary"]["failed"], cases.size());
  EXPECT_EQ(server_.connections(), 0u);
}

TEST_F(ApiTesterLoopbackTest, DenyCidrRefusesEvenWhenLoopbackIsAllowed) {
  auto rules = loopback_allowed();
  rules.deny_cidrs = {"127.0.0.0/8"};
  api_tester_handler strict{client_with(rules)};
  auto out = run(strict, {{"endpoints", {{{"url", url("/ok")}}}}});
  ASSERT_TRUE(out) << out.err().detail;
  EXPECT_EQ(reason_of((*out)["endpoints"][0])["rule"], "deny_cidrs");
  EXPECT_EQ(server_.connections(), 0u);
}

class ApiTesterTlsTest : public ::testing::Test {
protected:
  std::string url(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(server_.port()) + path;
  }

  temp_dir dir_;
  test_certificate cert_ =
      make_certificate(dir_.path(), "loopback", "IP:127.0.0.1,IP:::1,DNS:localhost");
  loopback_server server_{&cert_};
  recording_context ctx_;
};

TEST_F(ApiTesterTlsTest, TrustedCertificatePassesAndReportsExpiry) {
  std::int64_t now = cert_.not_after - 3 * 86400 - 60; // as if three days before expiry
  api_tester_handler h{client_with(loopback_allowed(), cert_.cert_file), {}, [now] {
                         return now;
                       }};
  auto out = h.run({{"endpoints", {{{"url", url("/ok")}}}}}, ctx_);
  ASSERT_TRUE(out) << out.err().detail;
  const auto& e = (*out)["endpoints"][0];
  EXPECT_TRUE(e["passed"]) << e.dump();
  ASSERT_TRUE(e.contains("tls"));
  EXPECT_EQ(e["tls"]["cert_expires_at"], rfc3339(cert_.not_after * 1000));
  EXPECT_EQ(e["tls"]["days_left"], 3);
}

TEST_F(ApiTesterTlsTest, UntrustedCertificateIsATlsError) {
  // The system store does not know the test CA.
  api_tester_handler h{client_with(loopback_allowed())};
  auto out = h.run({{"endpoints", {{{"url", url("/ok")}}}}}, ctx_);
  ASSERT_TRUE(out) << out.err().detail;
  const auto& e = (*out)["endpoints"][0];
  EXPECT_FALSE(e["passed"]);
  EXPECT_EQ(reason_of(e)["code"], "tls_error");
}

TEST_F(ApiTesterTlsTest, NameNotInTheCertificateIsATlsError) {
  temp_dir other_dir;
  auto other = make_certificate(other_dir.path(), "other", "DNS:other.test");
  loopback_server other_server{&other};
  api_tester_handler h{client_with(loopback_allowed(), other.cert_file)};
  auto out =
      h.run({{"endpoints",
              {{{"url", "https://127.0.0.1:" + std::to_string(other_server.port()) + "/ok"}}}}},
            ctx_);
  ASSERT_TRUE(out) << out.err().detail;
  EXPECT_EQ(reason_of((*out)["endpoints"][0])["code"], "tls_error");
}

} // namespace
} // namespace nzl::plugins::api_tester
