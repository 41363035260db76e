#include "apps/cloudagent/node_client.hpp"

#include "apps/cloudagent/output.hpp"
#include "apps/cloudagent/request_signing.hpp"
#include "net/outbound/http_client.hpp"
#include "net/outbound/url.hpp"

#include <chrono>
#include <future>

namespace nzl::cli {

namespace out = net::outbound;

#ifndef NZL_VERSION
#define NZL_VERSION "dev"
#endif

namespace {

std::int64_t system_unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

failure transport_failure(const error& err, const std::string& node) {
  switch (err.code) {
  case errc::egress_denied:
  case errc::invalid_field:
    return usage_error("cannot call the node at " + node + ": " + err.detail);
  default:
    return failure{exit_code::unreachable, "cannot reach the node at " + node + ": " + err.detail};
  }
}

} // namespace

failure problem_failure(int status, std::string_view body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  std::string message;
  if (doc.is_object() && (doc.contains("title") || doc.contains("detail"))) {
    message = text_of(doc, "title", "error") + " (" + std::to_string(status) + ")";
    if (auto detail = text_of(doc, "detail", ""); !detail.empty())
      message += ": " + detail;
  } else {
    std::string_view start = body.substr(0, 200);
    message = "HTTP error (" + std::to_string(status) + ")";
    if (!start.empty())
      message += ": " + std::string{start};
  }
  return failure{exit_code::node_error, sanitize(message)};
}

outcome<std::unique_ptr<node_client>> node_client::make(const global_options& options,
                                                        clock now_unix) {
  auto u = out::parse_url(options.node);
  if (!u)
    return usage_error("--node: " + u.err().detail);
  if (u->target.find('?') != std::string::npos)
    return usage_error("--node must be a base URL without a query, not '" + options.node + "'");
  std::string base_path = u->target;
  while (!base_path.empty() && base_path.back() == '/')
    base_path.pop_back();
  if (!now_unix)
    now_unix = system_unix_seconds;
  return std::unique_ptr<node_client>(
      new node_client(options, std::move(base_path), std::move(now_unix)));
}

node_client::node_client(global_options options, std::string base_path, clock now_unix)
    : options_(std::move(options)), base_path_(std::move(base_path)),
      now_unix_(std::move(now_unix)) {
  out::http_client_options client_options;
  // An operator tool goes where its operator points it: the node usually
  // listens on loopback or a private network. Public addresses are allowed
  // by default; unspecified, multicast and the like stay refused.
  client_options.egress.allow_loopback = true;
  client_options.egress.allow_private = true;
  client_options.egress.allow_link_local = true;
  client_options.io_threads = 1;
  client_options.ca_file = options_.cacert;
  client_options.user_agent = "cloudagent/" NZL_VERSION;
  client_ = std::make_unique<out::http_client>(std::move(client_options));
}

node_client::~node_client() = default;

outcome<node_answer> node_client::call(std::string_view method, std::string_view target,
                                       const nlohmann::json* body) {
  out::outbound_request req;
  req.method = std::string{method};
  auto u = out::parse_url(options_.node);
  if (!u)
    return usage_error("--node: " + u.err().detail);
  std::string path = base_path_ + std::string{target};
  u->target = path;
  req.url = u->to_string();
  req.timeout_ms = options_.timeout_ms;
  req.max_response_bytes = max_answer_bytes;
  req.headers.emplace_back("Accept", "application/json, application/problem+json");
  if (!options_.api_key.empty())
    req.headers.emplace_back("Authorization", "Bearer " + options_.api_key);
  if (body != nullptr) {
    req.body = dump(*body);
    req.headers.emplace_back("Content-Type", "application/json");
  }
  if (!options_.signing_secret.empty())
    for (auto& h : signature_headers(options_.signing_secret, req.method, path, req.body,
                                     now_unix_(), make_nonce()))
      req.headers.push_back(std::move(h));

  std::promise<result<out::outbound_response>> answer;
  auto future = answer.get_future();
  client_->send(std::move(req),
                [&answer](result<out::outbound_response> r) { answer.set_value(std::move(r)); });
  // send() calls back exactly once, within timeout_ms.
  auto r = future.get();
  if (!r)
    return transport_failure(r.err(), options_.node);
  if (r->body_truncated)
    return failure{exit_code::node_error, "the node's answer is larger than " +
                                              std::to_string(max_answer_bytes) + " bytes"};
  if (r->status < 200 || r->status > 299)
    return problem_failure(r->status, r->body);
  node_answer a;
  a.status = r->status;
  a.body = nlohmann::json::parse(r->body, nullptr, false);
  if (a.body.is_discarded())
    return failure{exit_code::node_error, "the node answered " + std::to_string(r->status) +
                                              " with a body that is not JSON"};
  a.raw = std::move(r->body);
  return a;
}

} // namespace nzl::cli
