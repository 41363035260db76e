#include "net/api.hpp"

#include "core/problem.hpp"
#include "net/json_body.hpp"
#include "net/router.hpp"
#include "net/task_codec.hpp"

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
  if (advice_for(code) == advice::retry_later && code != errc::task_timeout)
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

} // namespace

api::api(task_service& service, api_options options)
    : service_(service), options_(std::move(options)) {}

http_response api::problem(const error& err, std::string_view request_id,
                           std::string_view instance) const {
  return problem_response(make_problem(err, request_id, instance), err.code);
}

void api::handle(http_request request, responder done) {
  auto path = path_of(request.target);
  auto match = match_route(request.method, path);
  switch (match.kind) {
  case route::tasks_run:
  case route::v2_delegate:
  case route::tasks_batch:
    if (!request.idempotency_key.empty())
      return run_idempotent(match.kind, std::move(request), std::move(done));
    return dispatch(match.kind, request, done);
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

void api::dispatch(route kind, http_request& request, responder& done) {
  if (kind == route::tasks_batch)
    return run_batch(request, done);
  run_task(request, done, kind == route::v2_delegate);
}

void api::run_idempotent(route kind, http_request request, responder done) {
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
      [this, kind, scoped, request = std::move(request), done = std::move(done)](
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
        dispatch(kind, request, finish);
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
  if (task.options.async) {
    if (v2)
      return respond_problem(fail(errc::invalid_field,
                                  "v2 has no asynchronous tasks; use /v3/tasks",
                                  {{"field", "options.async"}}));
    return service_.enqueue(std::move(task), json_answer(request, std::move(done), 202));
  }
  if (!task.options.timeout_ms || *task.options.timeout_ms > options_.task_timeout_ms)
    task.options.timeout_ms = options_.task_timeout_ms;
  service_.run(std::move(task),
               [this, v2, done = std::move(done), request_id = std::move(request.request_id),
                instance = std::string{path_of(request.target)}](task_outcome outcome) {
                 if (!outcome.value) {
                   const auto& err = outcome.value.err();
                   auto doc = make_problem(err, request_id, instance);
                   doc["id"] = outcome.id;
                   doc["task_type"] = outcome.type;
                   doc["region"] = outcome.region;
                   if (v2)
                     doc["success"] = false;
                   auto res = problem_response(doc, err.code);
                   if (v2)
                     add_v2_headers(res);
                   return done(std::move(res));
                 }
                 if (v2) {
                   auto res = json_response(200, json{{"success", true},
                                                      {"task_type", outcome.type},
                                                      {"result", std::move(outcome.value).value()},
                                                      {"duration_ms", outcome.duration_ms}});
                   add_v2_headers(res);
                   return done(std::move(res));
                 }
                 http_response res;
                 res.body = completed_task_text(outcome);
                 done(std::move(res));
               });
}

void api::run_batch(http_request& request, responder& done) {
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
  auto finish = [items, done = std::move(done), request_id = std::move(request.request_id),
                 region = std::string{service_.region()}](std::vector<task_outcome> outcomes) {
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
