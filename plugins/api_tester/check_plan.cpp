// Payload validation and judging for api-tester: pure functions, so the
// rules are tested without a network (tests/unit/api_tester).
#include "plugins/api_tester/check_plan.hpp"

#include "core/time.hpp"
#include "net/outbound/url.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace nzl::plugins::api_tester {

using nlohmann::json;
namespace outbound = net::outbound;

namespace {

error invalid(const std::string& field, const std::string& what) {
  return fail(errc::invalid_field, field + " " + what, {{"field", field}});
}

bool is_token(std::string_view s) noexcept {
  static constexpr std::string_view specials = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           specials.find(c) != std::string_view::npos;
  });
}

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string upper(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::int64_t> integer(const json& v) {
  if (!v.is_number_integer())
    return std::nullopt;
  if (v.is_number_unsigned())
    return v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)
               ? std::nullopt
               : std::optional<std::int64_t>{static_cast<std::int64_t>(v.get<std::uint64_t>())};
  return v.get<std::int64_t>();
}

std::optional<error> parse_status(const json& v, const std::string& field, endpoint_check& out,
                                  const api_tester_limits& limits) {
  auto one = [&](const json& s, const std::string& name) -> std::optional<error> {
    auto n = integer(s);
    if (!n || *n < 100 || *n > 599)
      return invalid(name, "must be an HTTP status code from 100 to 599");
    out.expect_status.push_back(static_cast<int>(*n));
    return std::nullopt;
  };
  if (!v.is_array())
    return one(v, field);
  if (v.empty() || v.size() > limits.max_expect_statuses)
    return invalid(field, "must list 1 to " + std::to_string(limits.max_expect_statuses) +
                              " status codes");
  for (std::size_t i = 0; i < v.size(); ++i)
    if (auto err = one(v[i], field + "[" + std::to_string(i) + "]"))
      return err;
  return std::nullopt;
}

std::optional<error> parse_headers(const json& v, const std::string& field, endpoint_check& out,
                                   const api_tester_limits& limits) {
  if (!v.is_object())
    return invalid(field, "must be an object of header names to string values");
  if (v.size() > limits.max_headers)
    return invalid(field, "has more than " + std::to_string(limits.max_headers) + " headers");
  for (auto it = v.begin(); it != v.end(); ++it) {
    auto name_field = field + "." + it.key();
    if (!is_token(it.key()))
      return invalid(name_field, "is not a valid header name");
    auto l = lower(it.key());
    if (l == "host" || l == "content-length" || l == "transfer-encoding" || l == "connection")
      return invalid(name_field, "is set by the client itself");
    if (!it.value().is_string())
      return invalid(name_field, "must be a string");
    const auto& value = it.value().get_ref<const std::string&>();
    if (value.find_first_of(std::string_view{"\r\n\0", 3}) != std::string::npos)
      return invalid(name_field, "must not contain line breaks or NUL");
    if (it.key().size() + value.size() > limits.max_header_bytes)
      return invalid(name_field,
                     "is longer than " + std::to_string(limits.max_header_bytes) + " bytes");
    out.headers.emplace_back(it.key(), value);
  }
  return std::nullopt;
}

result<endpoint_check> parse_endpoint(const json& e, const std::string& field,
                                      const api_tester_limits& limits) {
  if (!e.is_object())
    return invalid(field, "must be an object");
  endpoint_check out;
  out.timeout_ms = limits.default_timeout_ms;
  out.max_redirects = limits.max_redirects;
  static constexpr std::array<std::string_view, 8> known = {
      "url",        "method",       "headers", "body", "expect_status", "expect_body_contains",
      "timeout_ms", "max_redirects"};
  for (auto it = e.begin(); it != e.end(); ++it)
    if (std::find(known.begin(), known.end(), it.key()) == known.end())
      return invalid(field + "." + it.key(), "is not a known field");
  auto url = e.find("url");
  if (url == e.end() || !url->is_string())
    return invalid(field + ".url", "must be a string (an absolute http or https URL)");
  out.url = url->get<std::string>();
  if (out.url.size() > limits.max_url_bytes)
    return invalid(field + ".url",
                   "is longer than " + std::to_string(limits.max_url_bytes) + " bytes");
  if (auto parsed = outbound::parse_url(out.url); !parsed)
    return invalid(field + ".url", "is not usable: " + parsed.err().detail);
  if (auto m = e.find("method"); m != e.end()) {
    static constexpr std::array<std::string_view, 7> methods = {"GET",   "HEAD",   "POST",   "PUT",
                                                                "PATCH", "DELETE", "OPTIONS"};
    if (!m->is_string() || std::find(methods.begin(), methods.end(),
                                     upper(m->get_ref<const std::string&>())) == methods.end())
      return invalid(field + ".method",
                     "must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    out.method = upper(m->get_ref<const std::string&>());
  }
  if (auto h = e.find("headers"); h != e.end())
    if (auto err = parse_headers(*h, field + ".headers", out, limits))
      return std::move(*err);
  if (auto b = e.find("body"); b != e.end() && !b->is_null()) {
    if (b->is_string()) {
      out.body = b->get<std::string>();
    } else {
      out.body = b->dump();
      bool typed = std::any_of(out.headers.begin(), out.headers.end(),
                               [](auto& h) { return lower(h.first) == "content-type"; });
      if (!typed)
        out.headers.emplace_back("Content-Type", "application/json");
    }
    if (out.body.size() > limits.max_request_body_bytes)
      return invalid(field + ".body",
                     "is larger than " + std::to_string(limits.max_request_body_bytes) + " bytes");
  }
  if (auto s = e.find("expect_status"); s != e.end())
    if (auto err = parse_status(*s, field + ".expect_status", out, limits))
      return std::move(*err);
  if (auto c = e.find("expect_body_contains"); c != e.end()) {
    if (!c->is_string() || c->get_ref<const std::string&>().empty() ||
        c->get_ref<const std::string&>().size() > limits.max_expect_body_bytes)
      return invalid(field + ".expect_body_contains",
                     "must be a non-empty string of at most " +
                         std::to_string(limits.max_expect_body_bytes) + " bytes");
    out.expect_body_contains = c->get<std::string>();
  }
  if (auto t = e.find("timeout_ms"); t != e.end()) {
    auto n = integer(*t);
    if (!n || *n < 1 || *n > limits.max_timeout_ms)
      return invalid(field + ".timeout_ms",
                     "must be an integer from 1 to " + std::to_string(limits.max_timeout_ms));
    out.timeout_ms = static_cast<std::uint32_t>(*n);
  }
  if (auto r = e.find("max_redirects"); r != e.end()) {
    auto n = integer(*r);
    if (!n || *n < 0 || *n > limits.max_redirects)
      return invalid(field + ".max_redirects",
                     "must be an integer from 0 to " + std::to_string(limits.max_redirects));
    out.max_redirects = static_cast<unsigned>(*n);
  }
  return out;
}

double round1(double v) {
  return std::round(v * 10.0) / 10.0;
}

json reason(std::string code, std::string detail) {
  return json{{"code", std::move(code)}, {"detail", std::move(detail)}};
}

// The reason code for an outbound failure ("reason" extension of
// errc::upstream_failed, see net/outbound/http_client.hpp).
std::string failure_code(const error& err) {
  if (err.code == errc::egress_denied)
    return "egress_denied";
  if (err.code == errc::unavailable)
    return "unavailable";
  if (err.code != errc::upstream_failed)
    return "invalid_request";
  std::string why = err.extensions.is_object() ? err.extensions.value("reason", "") : "";
  if (why == "timeout")
    return "timeout";
  if (why == "certificate" || why == "tls")
    return "tls_error";
  if (why == "resolve")
    return "dns_error";
  if (why == "connect")
    return "connect_failed";
  if (why == "redirect")
    return "bad_redirect";
  return "connection_error";
}

bool status_ok(const endpoint_check& check, int status) {
  if (check.expect_status.empty())
    return status >= 200 && status < 300;
  return std::find(check.expect_status.begin(), check.expect_status.end(), status) !=
         check.expect_status.end();
}

std::string expected_text(const endpoint_check& check) {
  if (check.expect_status.empty())
    return "a 2xx status";
  std::string out;
  for (auto s : check.expect_status)
    out += (out.empty() ? "" : " or ") + std::to_string(s);
  return out;
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

} // namespace

result<check_plan> parse_plan(const json& payload, const api_tester_limits& limits) {
  if (!payload.is_object())
    return invalid("payload", "must be an object with an endpoints array");
  for (auto it = payload.begin(); it != payload.end(); ++it)
    if (it.key() != "endpoints" && it.key() != "concurrency")
      return invalid(it.key(), "is not a known field (expected endpoints, concurrency)");
  auto endpoints = payload.find("endpoints");
  if (endpoints == payload.end() || !endpoints->is_array() || endpoints->empty() ||
      endpoints->size() > limits.max_endpoints)
    return invalid("endpoints", "must be an array of 1 to " + std::to_string(limits.max_endpoints) +
                                    " endpoints");
  check_plan plan;
  plan.checks.reserve(endpoints->size());
  for (std::size_t i = 0; i < endpoints->size(); ++i) {
    auto check = parse_endpoint((*endpoints)[i], "endpoints[" + std::to_string(i) + "]", limits);
    if (!check)
      return std::move(check).err();
    plan.checks.push_back(std::move(*check));
  }
  plan.concurrency =
      std::min<unsigned>(limits.default_concurrency, static_cast<unsigned>(plan.checks.size()));
  if (auto c = payload.find("concurrency"); c != payload.end()) {
    auto n = integer(*c);
    if (!n || *n < 1 || *n > limits.max_concurrency)
      return invalid("concurrency",
                     "must be an integer from 1 to " + std::to_string(limits.max_concurrency));
    plan.concurrency = static_cast<unsigned>(*n);
  }
  plan.concurrency = std::max(1u, plan.concurrency);
  return plan;
}

outbound::outbound_request to_request(const endpoint_check& check, std::size_t max_response_bytes) {
  outbound::outbound_request req;
  req.method = check.method;
  req.url = check.url;
  req.headers = check.headers;
  req.body = check.body;
  req.timeout_ms = check.timeout_ms;
  req.max_response_bytes = max_response_bytes;
  req.max_redirects = check.max_redirects;
  return req;
}

json judge(const endpoint_check& check, const result<outbound::outbound_response>& outcome,
           double latency_ms, std::int64_t now_unix) {
  json out = {{"url", check.url}, {"method", check.method}};
  json reasons = json::array();
  if (!outcome) {
    const auto& err = outcome.err();
    auto r = reason(failure_code(err), err.detail);
    if (err.extensions.is_object())
      for (const char* key : {"rule", "address", "host", "reason"})
        if (auto it = err.extensions.find(key); it != err.extensions.end())
          r[key == std::string_view{"reason"} ? "client_reason" : key] = *it;
    reasons.push_back(std::move(r));
    out["status"] = nullptr;
    out["latency_ms"] = round1(latency_ms);
    out["passed"] = false;
    out["reasons"] = std::move(reasons);
    out["redirects"] = 0;
    return out;
  }
  const auto& resp = *outcome;
  if (!status_ok(check, resp.status)) {
    bool has_location = std::any_of(resp.headers.begin(), resp.headers.end(), [](auto& h) {
      return h.first.size() == 8 && lower(h.first) == "location";
    });
    if (is_redirect(resp.status) && has_location && resp.redirects >= check.max_redirects)
      reasons.push_back(reason("too_many_redirects",
                               "still redirected (" + std::to_string(resp.status) + ") after " +
                                   std::to_string(resp.redirects) + " redirects, the limit"));
    else
      reasons.push_back(reason("status_mismatch", "expected " + expected_text(check) + ", got " +
                                                      std::to_string(resp.status)));
  }
  if (check.expect_body_contains &&
      resp.body.find(*check.expect_body_contains) == std::string::npos)
    reasons.push_back(reason(
        "body_mismatch",
        "the body does not contain the expected text" +
            std::string{resp.body_truncated ? " (in its first " + std::to_string(resp.body.size()) +
                                                  " bytes; the rest was not read)"
                                            : ""}));
  out["status"] = resp.status;
  out["latency_ms"] = round1(resp.latency_ms);
  out["passed"] = reasons.empty();
  out["reasons"] = std::move(reasons);
  out["redirects"] = resp.redirects;
  out["final_url"] = resp.final_url;
  out["remote_address"] = resp.remote_address;
  out["body_bytes"] = resp.body.size();
  out["body_truncated"] = resp.body_truncated;
  if (resp.cert_expires_unix) {
    auto left = *resp.cert_expires_unix - now_unix;
    // Floor, so that a certificate expiring in 10 hours has 0 days left.
    auto days = left >= 0 ? left / 86400 : -((-left + 86399) / 86400);
    out["tls"] = {{"cert_expires_at", rfc3339(*resp.cert_expires_unix * 1000)},
                  {"days_left", days}};
  }
  return out;
}

json summarise(const std::vector<json>& judged) {
  std::vector<double> latencies;
  std::size_t passed = 0;
  for (const auto& j : judged) {
    if (j.value("passed", false))
      ++passed;
    latencies.push_back(j.value("latency_ms", 0.0));
  }
  std::sort(latencies.begin(), latencies.end());
  double p50 = 0;
  double max = 0;
  if (!latencies.empty()) {
    // Nearest rank.
    p50 = latencies[(latencies.size() + 1) / 2 - 1];
    max = latencies.back();
  }
  return json{{"total", judged.size()},
              {"passed", passed},
              {"failed", judged.size() - passed},
              {"latency_p50_ms", round1(p50)},
              {"latency_max_ms", round1(max)}};
}

} // namespace nzl::plugins::api_tester
