#include "net/api.hpp"

#include "cluster/cluster_control.hpp"
#include "core/problem.hpp"
#include "core/time.hpp"
#include "net/admin_codec.hpp"
#include "net/analytics_service.hpp"
#include "net/gateway.hpp"
#include "net/json_body.hpp"
#include "net/plugin_service.hpp"
#include "net/router.hpp"
#include "net/task_codec.hpp"
#include "net/ws/token_store.hpp"
#include "security/api_key.hpp"

#include <fmt/format.h>

#include <memory>
#include <openssl/sha.h>

namespace nzl::net {

namespace {

using nlohmann::json;

// v2 is deprecated since 2025-12-01 and goes away on 2027-06-01.
constexpr const char* v2_deprecation = "@1764547200";
constexpr const char* v2_sunset = "Tue, 01 Jun 2027 00:00:00 GMT";
constexpr const char* successor_link = "</v3/tasks>; rel=\"successor-version\"";

http_response json_response(int status, const json& body) {
  http_response res;
  res.status = status;
  res.body = to_json_text(body);
  return res;
}

json outcome_json(task_outcome& outcome, std::string_view request_id) {
  if (outcome.value) {
    return json{{"id", outcome.id},         {"type", outcome.type},
                {"status", "completed"},    {"result", std::move(outcome.value).value()},
                {"region", outcome.region}, {"duration_ms", outcome.duration_ms}};
  }
  return json{{"id", outcome.id},
              {"type", outcome.type},
              {"status", outcome.value.err().code == errc::task_cancelled ? "cancelled" : "failed"},
              {"error", make_problem(outcome.value.err(), request_id)},
              {"region", outcome.region},
              {"duration_ms", outcome.duration_ms}};
}

// The hot path's answer, written as text rather than built as a json object
// (an object per request cost more than the rest of the answer). Same
// members and order as nlohmann's output. id (a UUID), type (validated
// [a-z0-9._-]) and region (validated by the manifest schema) need no escaping.
std::string completed_task_text(task_outcome& outcome) {
  auto result = to_json_text(outcome.value.value());
  std::string out;
  out.reserve(result.size() + outcome.id.size() + outcome.type.size() + outcome.region.size() + 96);
  out += R"({"duration_ms":)";
  fmt::format_to(std::back_inserter(out), "{}", outcome.duration_ms);
  out += R"(,"id":")";
  out += outcome.id;
  out += R"(","region":")";
  out += outcome.region;
  out += R"(","result":)";
  out += result;
  out += R"(,"status":"completed","type":")";
  out += outcome.type;
  out += R"("})";
  return out;
}

http_response problem_response(const json& doc, errc code) {
  http_response res;
  res.status = doc["status"].get<int>();
  res.content_type = "application/problem+json";
  res.body = to_json_text(doc);
  if (advice_for(code) == advice::retry_later && code != errc::task_timeout &&
      code != errc::rate_limited) // the gateway sets its own Retry-After
    res.headers.emplace_back("Retry-After", "1");
  return res;
}

void add_v2_headers(http_response& res) {
  res.headers.emplace_back("Deprecation", v2_deprecation);
  res.headers.emplace_back("Sunset", v2_sunset);
  res.headers.emplace_back("Link", successor_link);
}

std::string sha256_hex(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * sizeof digest);
  for (unsigned char b : digest) {
    out.push_back(hex[b >> 4]);
    out.push_back(hex[b & 15]);
  }
  return out;
}

// GET /v3/cluster and the admin failover/failback routes, when the service
// is a cluster (issue 5); a single node answers 404.
void cluster_route(task_service& service, route kind, http_request& request,
                   std::function<void(http_response)>& done, std::size_t max_depth) {
  auto instance = std::string{path_of(request.target)};
  auto refuse = [&](const error& err) {
    done(problem_response(make_problem(err, request.request_id, instance), err.code));
  };
  auto* cluster = dynamic_cast<nzl::cluster::cluster_control*>(&service);
  if (!cluster)
    return refuse(fail(errc::not_found, "this node is not part of a cluster"));
  if (kind == route::cluster_status)
    return done(json_response(200, cluster->status()));
  auto body = request.body.empty() ? result<json>{json::object()}
                                   : parse_json_body(request.body, max_depth);
  if (!body)
    return refuse(body.err());
  if (!body->is_object())
    return refuse(fail(errc::invalid_field, "the body must be a JSON object", {{"field", ""}}));
  auto text = [&](const char* name) -> result<std::string> {
    auto it = body->find(name);
    if (it == body->end())
      return std::string{};
    if (!it->is_string() || it->get_ref<const std::string&>().size() > 63)
      return fail(errc::invalid_field, std::string{name} + " must be a region name",
                  {{"field", name}});
    return it->get<std::string>();
  };
  auto answer = [done, request_id = request.request_id, instance](result<json> r) {
    if (!r)
      return done(problem_response(make_problem(r.err(), request_id, instance), r.err().code));
    done(json_response(200, *r));
  };
  if (kind == route::cluster_failover) {
    auto from = text("from");
    auto to = text("to");
    if (!from || from->empty())
      return refuse(from ? fail(errc::invalid_field, "from is required", {{"field", "from"}})
                         : from.err());
    if (!to)
      return refuse(to.err());
    return cluster->failover(std::move(*from), std::move(*to), std::move(answer));
  }
  auto region = text("region");
  if (!region || region->empty())
    return refuse(region ? fail(errc::invalid_field, "region is required", {{"field", "region"}})
                         : region.err());
  cluster->failback(std::move(*region), std::move(answer));
}

// The series name of an HTTP route in the analytics (stable: dashboards and
// alert rules name it).
std::string_view route_name(route kind) noexcept {
  switch (kind) {
  case route::tasks_run:
    return "tasks_run";
  case route::tasks_batch:
    return "tasks_batch";
  case route::v2_delegate:
    return "v2_delegate";
  case route::task_get:
  case route::task_cancel:
  case route::task_retry:
    return "task_state";
  case route::queue_stats:
    return "queue_stats";
  case route::analytics_summary:
  case route::analytics_report:
  case route::analytics_alerts:
  case route::analytics_live:
    return "analytics";
  case route::metrics:
    return "metrics";
  case route::health:
  case route::ready:
    return "probe";
  case route::not_found:
  case route::method_not_allowed:
  case route::v1_gone:
    return "unrouted";
  default:
    return "admin";
  }
}

std::uint32_t clamp_u32(double v) noexcept {
  return v <= 0 ? 0 : v >= 4e9 ? 4'000'000'000u : static_cast<std::uint32_t>(v);
}

// One task's sample (no allocation: views into the outcome).
void record_task(analytics_service* analytics, const task_outcome& outcome,
                 std::string_view key_id) noexcept {
  if (!analytics)
    return;
  measurement m;
  m.what = measurement::kind::task;
  m.type = outcome.type;
  m.region = outcome.region;
  m.key_id = key_id;
  m.latency_us = clamp_u32(outcome.duration_ms * 1000.0);
  if (!outcome.value) {
    auto code = outcome.value.err().code;
    m.status = static_cast<std::uint16_t>(problem_type_of(code).status);
    m.error_code = static_cast<std::uint8_t>(1 + static_cast<unsigned>(code));
    m.rate_limited = code == errc::rate_limited;
  }
  analytics->record(m);
}

} // namespace

api::api(task_service& service, api_options options, api_services services)
    : service_(service), options_(std::move(options)), services_(services) {}

http_response api::problem(const error& err, std::string_view request_id,
                           std::string_view instance) const {
  return problem_response(make_problem(err, request_id, instance), err.code);
}

void api::handle(http_request request, responder done) {
  auto path = path_of(request.target);
  auto match = match_route(request.method, path);
  if (!services_.gate) {
    if (services_.analytics) // gateless setups (tests) only: one wrapper per request
      done = [this, kind = match.kind, started = std::chrono::steady_clock::now(),
              in = static_cast<std::uint32_t>(request.body.size()),
              done = std::move(done)](http_response res) {
        measure_http(kind, {}, started, in, res);
        done(std::move(res));
      };
    return route_request(match, request, done, nullptr);
  }
  auto adm = std::make_shared<admission>(services_.gate->admit(request, match.kind));
  if (!adm->key_id.empty())
    request.client = adm->key_id;
  request.client_country = adm->country;
  // The gateway's wrapper measures too: no allocation beyond the one it had.
  responder finish = [this, adm, kind = match.kind,
                      in = static_cast<std::uint32_t>(request.body.size()),
                      done = std::move(done)](http_response res) {
    services_.gate->finish(*adm, res);
    measure_http(kind, adm->key_id, adm->started, in, res);
    done(std::move(res));
  };
  if (adm->refusal)
    return finish(problem(*adm->refusal, request.request_id, path));
  route_request(match, request, finish, adm.get());
}

void api::route_request(route_match& match, http_request& request, responder& done,
                        admission* adm) {
  auto path = path_of(request.target);
  switch (match.kind) {
  case route::tasks_run:
  case route::v2_delegate:
  case route::tasks_batch:
    if (!request.idempotency_key.empty())
      return run_idempotent(match.kind, std::move(request), std::move(done), adm);
    return dispatch(match.kind, request, done, adm);
  case route::task_get:
    return service_.get_task(std::string{match.param}, json_answer(request, std::move(done), 200));
  case route::task_cancel:
    return service_.cancel_task(std::string{match.param},
                                json_answer(request, std::move(done), 200));
  case route::task_retry:
    return service_.retry_task(std::string{match.param},
                               json_answer(request, std::move(done), 202));
  case route::queue_stats:
    return service_.queue_stats(std::string{match.param},
                                json_answer(request, std::move(done), 200));
  case route::keys_list:
  case route::keys_create:
  case route::key_revoke:
  case route::key_rotate:
  case route::audit_query:
  case route::plugins_list:
  case route::plugins_reload:
    return admin(match.kind, match.param, request, done);
  case route::cluster_status:
  case route::cluster_failover:
  case route::cluster_failback:
    return cluster_route(service_, match.kind, request, done, options_.max_json_depth);
  case route::ws_upgrade:
    // Upgrades are taken by the server before the api; a plain GET lands here.
    return done(problem(fail(errc::bad_request, "GET /v3/ws needs a WebSocket upgrade"),
                        request.request_id, path));
  case route::ws_tokens:
    return ws_token(request, done);
  case route::analytics_summary:
  case route::analytics_report:
  case route::analytics_alerts:
  case route::analytics_live:
  case route::metrics:
  case route::dashboard:
    return analytics_view(match.kind, request, done);
  case route::health:
    return done(health(request));
  case route::ready:
    return done(readiness(request));
  case route::v1_gone: {
    auto res = problem(fail(errc::gone, "API v1 was retired; use POST /v3/tasks (see docs/api.md)",
                            {{"successor", "/v3/tasks"}}),
                       request.request_id, path);
    res.headers.emplace_back("Link", successor_link);
    return done(std::move(res));
  }
  case route::method_not_allowed: {
    auto res = problem(fail(errc::method_not_allowed,
                            std::string{to_string(request.method)} + " is not allowed on " +
                                std::string{path} + "; allowed: " + match.allow,
                            {{"allow", match.allow}}),
                       request.request_id, path);
    res.headers.emplace_back("Allow", match.allow);
    return done(std::move(res));
  }
  case route::not_found:
    return done(problem(fail(errc::not_found, "no endpoint at " + std::string{path}),
                        request.request_id, path));
  }
}

void api::ws_token(http_request& request, responder& done) {
  if (!services_.ws_tokens)
    return done(problem(fail(errc::not_found, "this node has no WebSocket endpoint"),
                        request.request_id, path_of(request.target)));
  ws::ws_grant grant;
  grant.client = request.client;
  if (services_.security) {
    auto credential = security::parse_credentials(request.authorization, request.api_key);
    if (credential && !credential->empty())
      if (auto key = services_.security->find_key(security::hash_key(*credential)))
        grant.admin = (key->scopes & scope_admin) != 0;
  }
  auto issued = services_.ws_tokens->issue(std::move(grant));
  if (!issued)
    return done(problem(issued.err(), request.request_id, path_of(request.target)));
  done(json_response(
      201, json{{"token", issued->token}, {"expires_at", rfc3339(issued->expires_at_ms)}}));
}

void api::measure_http(route kind, std::string_view key_id,
                       std::chrono::steady_clock::time_point started, std::uint32_t request_bytes,
                       const http_response& res) const noexcept {
  if (!services_.analytics)
    return;
  measurement m;
  m.what = measurement::kind::http;
  m.type = route_name(kind);
  m.region = service_.region();
  m.key_id = key_id;
  m.latency_us = clamp_u32(
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - started)
          .count());
  m.request_bytes = request_bytes;
  m.response_bytes = clamp_u32(static_cast<double>(res.body.size()));
  m.status = static_cast<std::uint16_t>(res.status);
  m.rate_limited = res.status == 429;
  services_.analytics->record(m);
}

void api::analytics_view(route kind, http_request& request, responder& done) {
  const auto instance = std::string{path_of(request.target)};
  if (!services_.analytics)
    return done(
        problem(fail(errc::not_found, "this node has no analytics"), request.request_id, instance));
  using v = analytics_service::view_kind;
  auto view = kind == route::analytics_summary  ? v::summary
              : kind == route::analytics_report ? v::report
              : kind == route::analytics_alerts ? v::alerts
              : kind == route::analytics_live   ? v::live
              : kind == route::metrics          ? v::metrics
                                                : v::dashboard;
  auto q = request.target.find('?');
  auto query = q == std::string::npos ? std::string{} : request.target.substr(q + 1);
  services_.analytics->view(view, std::move(query),
                            [this, done = std::move(done), request_id = request.request_id,
                             instance](result<analytics_answer> answer) {
                              if (!answer)
                                return done(problem(answer.err(), request_id, instance));
                              http_response res;
                              res.content_type = std::move(answer->content_type);
                              res.body = std::move(answer->body);
                              res.headers.emplace_back("Cache-Control", "no-store");
                              done(std::move(res));
                            });
}

void api::admin(route kind, std::string_view param, http_request& request, responder& done) {
  const auto instance = path_of(request.target);
  auto refuse = [&](const error& err) {
    done(problem(err, request.request_id, instance));
  };
  if (kind == route::plugins_list || kind == route::plugins_reload) {
    if (!services_.plugins)
      return refuse(fail(errc::not_found, "this node has no plugin service"));
    if (kind == route::plugins_list)
      return done(json_response(200, services_.plugins->describe()));
    return services_.plugins->reload(json_answer(request, std::move(done), 200));
  }
  if (!services_.security)
    return refuse(fail(errc::not_found, "security is not enabled on this node"));
  auto& sec = *services_.security;
  auto body = [&]() -> result<json> {
    if (!request.content_type.empty() && !is_json_media_type(request.content_type))
      return fail(errc::unsupported_media_type,
                  "the body must be application/json, not " + request.content_type);
    if (request.body.empty())
      return json::object();
    return parse_json_body(request.body, options_.max_json_depth);
  };
  switch (kind) {
  case route::keys_list:
    return sec.list_keys(json_answer(request, std::move(done), 200));
  case route::keys_create: {
    auto parsed = body();
    if (!parsed)
      return refuse(parsed.err());
    auto spec = decode_key_spec(*parsed);
    if (!spec)
      return refuse(spec.err());
    return sec.create_key(std::move(*spec), json_answer(request, std::move(done), 201));
  }
  case route::key_revoke:
    return sec.revoke_key(std::string{param}, json_answer(request, std::move(done), 200));
  case route::key_rotate: {
    auto parsed = body();
    if (!parsed)
      return refuse(parsed.err());
    auto grace = decode_rotate_grace(*parsed);
    if (!grace)
      return refuse(grace.err());
    return sec.rotate_key(std::string{param}, *grace, json_answer(request, std::move(done), 201));
  }
  case route::audit_query: {
    auto query = decode_audit_query(request.target);
    if (!query)
      return refuse(query.err());
    return sec.query_audit(std::move(*query), json_answer(request, std::move(done), 200));
  }
  default:
    return refuse(fail(errc::internal, "not an admin route"));
  }
}

void api::dispatch(route kind, http_request& request, responder& done, admission* adm) {
  if (kind == route::tasks_batch)
    return run_batch(request, done, adm);
  run_task(request, done, kind == route::v2_delegate);
}

void api::run_idempotent(route kind, http_request request, responder done, admission* adm) {
  const auto& key = request.idempotency_key;
  bool sane = key.size() <= 255;
  for (char c : key)
    sane = sane && c > 0x20 && c < 0x7f;
  if (!sane)
    return done(
        problem(fail(errc::invalid_field, "Idempotency-Key must be 1-255 visible ASCII characters",
                     {{"field", "Idempotency-Key"}}),
                request.request_id, path_of(request.target)));
  // Scoped to the client: two clients never share a key.
  auto scoped = request.client + "\n" + key;
  auto fingerprint = sha256_hex(std::string{to_string(request.method)} + " " +
                                std::string{path_of(request.target)} + "\n" + request.body);
  service_.idempotency_begin(
      scoped, std::move(fingerprint),
      [this, kind, scoped, adm, request = std::move(request), done = std::move(done)](
          task_service::idempotency_verdict verdict, http_response stored) mutable {
        using v = task_service::idempotency_verdict;
        auto instance = std::string{path_of(request.target)};
        switch (verdict) {
        case v::replay:
          return done(std::move(stored));
        case v::mismatch:
          return done(problem(fail(errc::idempotency_mismatch,
                                   "this Idempotency-Key was used for a different request",
                                   {{"field", "Idempotency-Key"}}),
                              request.request_id, instance));
        case v::busy:
          return done(problem(
              fail(errc::idempotency_busy, "a request with this Idempotency-Key is still running"),
              request.request_id, instance));
        case v::unavailable:
          return done(problem(fail(errc::unavailable,
                                   "the node that keeps this Idempotency-Key did not answer; "
                                   "nothing ran, retry"),
                              request.request_id, instance));
        case v::proceed:
          break;
        }
        responder finish = [this, scoped, done = std::move(done)](http_response res) {
          // A 5xx is worth retrying: release the key instead of storing it.
          std::optional<http_response> keep;
          if (res.status < 500)
            keep = res;
          service_.idempotency_finish(
              scoped, std::move(keep),
              [done, res = std::move(res)]() mutable { done(std::move(res)); });
        };
        dispatch(kind, request, finish, adm);
      });
}

task_service::json_handler api::json_answer(const http_request& request, responder done,
                                            int status) const {
  return [this, status, done = std::move(done), request_id = request.request_id,
          instance = std::string{path_of(request.target)}](result<json> answer) {
    if (!answer)
      return done(problem(answer.err(), request_id, instance));
    auto res = json_response(status, *answer);
    if (status == 202 && answer->contains("id"))
      res.headers.emplace_back("Location", "/v3/tasks/" + (*answer)["id"].get<std::string>());
    done(std::move(res));
  };
}

void api::run_task(http_request& request, responder& done, bool v2) {
  auto body = [&]() -> result<json> {
    if (!request.content_type.empty() && !is_json_media_type(request.content_type))
      return fail(errc::unsupported_media_type,
                  "the body must be application/json, not " + request.content_type);
    return parse_json_body(request.body, options_.max_json_depth);
  }();
  auto decoded = body ? decode_task(*body, v2 ? v2_fields : v3_fields)
                      : result<task_request>{std::move(body).err()};
  auto respond_problem = [&](const error& err) {
    auto res = problem(err, request.request_id, path_of(request.target));
    if (v2)
      add_v2_headers(res);
    done(std::move(res));
  };
  if (!decoded)
    return respond_problem(decoded.err());
  if (!service_.ready())
    return respond_problem(fail(errc::unavailable, "the node is not taking tasks right now"));
  auto& task = *decoded;
  task.request_id = request.request_id;
  task.client = request.client;
  task.country = request.client_country;
  if (task.options.async) {
    if (v2)
      return respond_problem(fail(errc::invalid_field,
                                  "v2 has no asynchronous tasks; use /v3/tasks",
                                  {{"field", "options.async"}}));
    responder typed = [type = task.type, done = std::move(done)](http_response res) {
      res.task_type = type;
      done(std::move(res));
    };
    return service_.enqueue(std::move(task), json_answer(request, std::move(typed), 202));
  }
  if (!task.options.timeout_ms || *task.options.timeout_ms > options_.task_timeout_ms)
    task.options.timeout_ms = options_.task_timeout_ms;
  service_.run(std::move(task),
               [this, v2, done = std::move(done), request_id = std::move(request.request_id),
                client = std::move(request.client),
                instance = std::string{path_of(request.target)}](task_outcome outcome) {
                 record_task(services_.analytics, outcome, client);
                 if (!outcome.value) {
                   const auto& err = outcome.value.err();
                   auto doc = make_problem(err, request_id, instance);
                   doc["id"] = outcome.id;
                   doc["task_type"] = outcome.type;
                   doc["region"] = outcome.region;
                   if (v2)
                     doc["success"] = false;
                   auto res = problem_response(doc, err.code);
                   res.headers.emplace_back("X-Served-By-Region", outcome.region);
                   if (!outcome.node.empty())
                     res.headers.emplace_back("X-Served-By-Node", outcome.node);
                   res.task_type = outcome.type;
                   if (v2)
                     add_v2_headers(res);
                   return done(std::move(res));
                 }
                 if (v2) {
                   auto res = json_response(200, json{{"success", true},
                                                      {"task_type", outcome.type},
                                                      {"result", std::move(outcome.value).value()},
                                                      {"duration_ms", outcome.duration_ms}});
                   res.task_type = outcome.type;
                   add_v2_headers(res);
                   return done(std::move(res));
                 }
                 http_response res;
                 res.body = completed_task_text(outcome);
                 res.headers.emplace_back("X-Served-By-Region", outcome.region);
                 if (!outcome.node.empty())
                   res.headers.emplace_back("X-Served-By-Node", outcome.node);
                 res.task_type = std::move(outcome.type);
                 done(std::move(res));
               });
}

void api::run_batch(http_request& request, responder& done, admission* adm) {
  auto refuse = [&](const error& err) {
    done(problem(err, request.request_id, path_of(request.target)));
  };
  if (!request.content_type.empty() && !is_json_media_type(request.content_type))
    return refuse(fail(errc::unsupported_media_type,
                       "the body must be application/json, not " + request.content_type));
  auto body = parse_json_body(request.body, options_.max_json_depth);
  if (!body)
    return refuse(body.err());
  auto decoded = decode_batch(*body, options_.max_batch_tasks);
  if (!decoded)
    return refuse(decoded.err());
  if (!service_.ready())
    return refuse(fail(errc::unavailable, "the node is not taking tasks right now"));
  // The gateway took one token for the request; a batch counts each task.
  if (adm && decoded->size() > 1)
    if (auto limited = services_.gate->take_more(*adm, decoded->size() - 1))
      return refuse(*limited);

  // Tasks that failed to decode keep their slot so that results stay in
  // request order; only the valid ones go to the executors.
  auto items = std::make_shared<std::vector<result<task_request>>>(std::move(*decoded));
  std::vector<task_request> runnable;
  for (auto& item : *items) {
    if (item && item->options.async)
      item = fail(errc::invalid_field,
                  "a batch runs its tasks synchronously; send durable tasks "
                  "one by one to POST /v3/tasks",
                  {{"field", "options.async"}});
    if (!item)
      continue;
    item->request_id = request.request_id;
    if (!item->options.timeout_ms || *item->options.timeout_ms > options_.task_timeout_ms)
      item->options.timeout_ms = options_.task_timeout_ms;
    runnable.push_back(std::move(*item));
  }
  auto finish = [this, items, done = std::move(done), request_id = std::move(request.request_id),
                 client = std::move(request.client),
                 region = std::string{service_.region()}](std::vector<task_outcome> outcomes) {
    for (const auto& outcome : outcomes)
      record_task(services_.analytics, outcome, client);
    json results = json::array();
    std::size_t next = 0;
    for (auto& item : *items) {
      if (item) {
        results.push_back(outcome_json(outcomes.at(next++), request_id));
      } else {
        results.push_back(json{{"status", "failed"},
                               {"error", make_problem(item.err(), request_id)},
                               {"region", region}});
      }
    }
    done(json_response(200, json{{"results", std::move(results)}}));
  };
  if (runnable.empty())
    return finish({});
  service_.run_batch(std::move(runnable), std::move(finish));
}

http_response api::health(const http_request&) const {
  auto uptime =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_)
          .count();
  return json_response(200, json{{"status", "ok"},
                                 {"region", service_.region()},
                                 {"version", options_.version},
                                 {"uptime_s", uptime}});
}

http_response api::readiness(const http_request& request) const {
  if (service_.ready())
    return json_response(200, json{{"status", "ready"}, {"region", service_.region()}});
  return problem(fail(errc::unavailable, "the node is starting or draining"), request.request_id,
                 "/ready");
}

} // namespace nzl::net
