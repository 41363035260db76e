#include "actors/queue/task_record.hpp"

#include "core/time.hpp"

#include <algorithm>

namespace nzl::actors {

using nlohmann::json;

std::string_view to_string(task_status s) noexcept {
  switch (s) {
  case task_status::queued:
    return "queued";
  case task_status::running:
    return "running";
  case task_status::completed:
    return "completed";
  case task_status::failed:
    return "failed";
  case task_status::cancelled:
    return "cancelled";
  case task_status::dead:
    return "dead";
  }
  return "queued";
}

std::optional<task_status> parse_task_status(std::string_view s) noexcept {
  for (auto st : {task_status::queued, task_status::running, task_status::completed,
                  task_status::failed, task_status::cancelled, task_status::dead})
    if (to_string(st) == s)
      return st;
  return std::nullopt;
}

bool is_final(task_status s) noexcept {
  return s == task_status::completed || s == task_status::cancelled || s == task_status::dead;
}

std::int64_t retry_backoff_ms(std::uint32_t attempt, std::int64_t base_ms, std::int64_t cap_ms,
                              double unit_random) noexcept {
  std::int64_t delay = base_ms;
  for (std::uint32_t i = 1; i < attempt && delay < cap_ms; ++i)
    delay *= 2;
  delay = std::min(delay, cap_ms);
  double factor = 0.8 + 0.4 * std::clamp(unit_random, 0.0, 1.0);
  return static_cast<std::int64_t>(static_cast<double>(delay) * factor);
}

json task_record::to_api_json() const {
  json out{{"id", id},
           {"queue", queue},
           {"type", type},
           {"status", to_string(status)},
           {"priority", to_string(prio)},
           {"attempts", attempts},
           {"max_retries", max_retries},
           {"created_at", rfc3339(created_ms)}};
  if (not_before_ms > created_ms && status == task_status::queued)
    out["run_at"] = rfc3339(not_before_ms);
  if (started_ms)
    out["started_at"] = rfc3339(started_ms);
  if (finished_ms)
    out["finished_at"] = rfc3339(finished_ms);
  if (status == task_status::completed)
    out["result"] = result;
  if (!error.is_null())
    out["error"] = error;
  if (!webhook.empty()) {
    out["webhook"] = webhook;
    out["webhook_attempts"] = webhook_attempts;
  }
  return out;
}

std::string task_record::encode() const {
  json doc{{"id", id},
           {"queue", queue},
           {"type", type},
           {"payload", payload},
           {"options", options},
           {"priority", to_string(prio)},
           {"client", client},
           {"status", to_string(status)},
           {"attempts", attempts},
           {"max_retries", max_retries},
           {"timeout_ms", timeout_ms},
           {"created_ms", created_ms},
           {"not_before_ms", not_before_ms},
           {"started_ms", started_ms},
           {"finished_ms", finished_ms},
           {"expires_ms", expires_ms},
           {"result", result},
           {"error", error},
           {"webhook", webhook},
           {"webhook_attempts", webhook_attempts}};
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<task_record> task_record::decode(std::string_view text) {
  auto doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return std::nullopt;
  // Stored records were written by encode(); a record that does not decode
  // is reported by the caller as corrupt rather than guessed at.
  try {
    task_record r;
    r.id = doc.at("id").get<std::string>();
    r.queue = doc.at("queue").get<std::string>();
    r.type = doc.at("type").get<std::string>();
    r.payload = doc.at("payload");
    r.options = doc.at("options");
    auto p = parse_priority(doc.at("priority").get<std::string>());
    auto st = parse_task_status(doc.at("status").get<std::string>());
    if (!p || !st)
      return std::nullopt;
    r.prio = *p;
    r.status = *st;
    r.client = doc.at("client").get<std::string>();
    r.attempts = doc.at("attempts").get<std::uint32_t>();
    r.max_retries = doc.at("max_retries").get<std::uint32_t>();
    r.timeout_ms = doc.at("timeout_ms").get<std::uint32_t>();
    r.created_ms = doc.at("created_ms").get<std::int64_t>();
    r.not_before_ms = doc.at("not_before_ms").get<std::int64_t>();
    r.started_ms = doc.at("started_ms").get<std::int64_t>();
    r.finished_ms = doc.at("finished_ms").get<std::int64_t>();
    r.expires_ms = doc.at("expires_ms").get<std::int64_t>();
    r.result = doc.at("result");
    r.error = doc.at("error");
    r.webhook = doc.at("webhook").get<std::string>();
    r.webhook_attempts = doc.at("webhook_attempts");
    return r;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

} // namespace nzl::actors
