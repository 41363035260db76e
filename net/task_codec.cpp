#include "net/task_codec.hpp"

#include "core/ids.hpp"
#include "core/time.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <string>

namespace nzl::net {

namespace {

constexpr std::size_t max_type_length = 64;
constexpr std::uint32_t max_timeout_ms = 3'600'000;
constexpr std::int64_t max_retries_limit = 20;
constexpr std::int64_t max_delay_ms = 365LL * 24 * 3600 * 1000;

std::int64_t now_ms() {
  return unix_ms_now();
}

bool is_queue_name(const std::string& s) noexcept {
  if (s.empty() || s.size() > 64)
    return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

error field_error(std::string field, std::string what) {
  auto detail = "field '" + field + "' " + what;
  return fail(errc::invalid_field, std::move(detail), {{"field", std::move(field)}});
}

bool is_type_name(const std::string& s) noexcept {
  if (s.empty() || s.size() > max_type_length)
    return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

std::string json_type_name(const nlohmann::json& v) {
  return v.type_name();
}

} // namespace

result<task_request> decode_task(nlohmann::json& doc, const task_fields& fields,
                                 std::string_view where) {
  const std::string prefix{where};
  if (!doc.is_object())
    return field_error(where.empty() ? std::string{"(body)"} : prefix.substr(0, prefix.size() - 1),
                       "must be an object, not " + json_type_name(doc));
  task_request req;
  auto type = doc.find(fields.type);
  if (type == doc.end())
    return field_error(prefix + std::string{fields.type}, "is required");
  if (!type->is_string())
    return field_error(prefix + std::string{fields.type},
                       "must be a string, not " + json_type_name(*type));
  req.type = type->get<std::string>();
  if (!is_type_name(req.type))
    return field_error(prefix + std::string{fields.type},
                       "must be 1-64 characters of a-z, 0-9, '-', '_', '.'");
  if (auto payload = doc.find(fields.payload); payload != doc.end())
    req.payload = std::move(*payload);
  else
    req.payload = nlohmann::json::object();
  if (auto options = doc.find(fields.options); options != doc.end() && !options->is_null()) {
    const auto opt_name = prefix + std::string{fields.options};
    if (!options->is_object())
      return field_error(opt_name, "must be an object, not " + json_type_name(*options));
    for (auto& [key, value] : options->items()) {
      auto field = opt_name + "." + key;
      if (key == "timeout_ms") {
        if (!value.is_number_integer() || value.get<std::int64_t>() <= 0 ||
            value.get<std::int64_t>() > max_timeout_ms)
          return field_error(field, "must be an integer from 1 to 3600000");
        req.options.timeout_ms = value.get<std::uint32_t>();
      } else if (key == "async") {
        if (!value.is_boolean())
          return field_error(field, "must be true or false");
        req.options.async = value.get<bool>();
      } else if (key == "queue") {
        if (!value.is_string() || !is_queue_name(value.get_ref<const std::string&>()))
          return field_error(field, "must be 1-64 characters of a-z, 0-9, '-', '_', '.'");
        req.options.queue = value.get<std::string>();
      } else if (key == "priority") {
        static const std::array<std::string_view, 4> names{"critical", "high", "normal", "low"};
        if (!value.is_string() || std::find(names.begin(), names.end(),
                                            value.get_ref<const std::string&>()) == names.end())
          return field_error(field, "must be one of critical, high, normal, low");
        req.options.priority = value.get<std::string>();
      } else if (key == "max_retries") {
        if (!value.is_number_integer() || value.get<std::int64_t>() < 0 ||
            value.get<std::int64_t>() > max_retries_limit)
          return field_error(field, "must be an integer from 0 to 20");
        req.options.max_retries = value.get<std::uint32_t>();
      } else if (key == "delay_ms") {
        if (!value.is_number_integer() || value.get<std::int64_t>() < 0 ||
            value.get<std::int64_t>() > max_delay_ms)
          return field_error(field, "must be an integer from 0 to 31536000000 (a year)");
        req.options.run_at_ms = now_ms() + value.get<std::int64_t>();
      } else if (key == "run_at") {
        std::optional<std::int64_t> at;
        if (value.is_string())
          at = parse_rfc3339(value.get_ref<const std::string&>());
        if (!at)
          return field_error(field, "must be an RFC 3339 date-time, e.g. 2026-12-01T10:00:00Z");
        if (*at > now_ms() + max_delay_ms)
          return field_error(field, "must be within a year from now");
        req.options.run_at_ms = *at;
      } else if (key == "webhook") {
        if (!value.is_string() || value.get_ref<const std::string&>().size() > 2048 ||
            !(value.get_ref<const std::string&>().starts_with("http://") ||
              value.get_ref<const std::string&>().starts_with("https://")))
          return field_error(field, "must be an http:// or https:// URL of at most 2048 bytes");
        req.options.webhook = value.get<std::string>();
      } else {
        req.options.extra[key] = std::move(value);
      }
    }
    if (!req.options.async &&
        (req.options.run_at_ms || !req.options.webhook.empty() || req.options.max_retries))
      return field_error(opt_name + ".async",
                         "must be true for delay_ms, run_at, webhook and max_retries");
  }
  req.id = new_task_id();
  return req;
}

result<std::vector<result<task_request>>> decode_batch(nlohmann::json& doc, std::size_t max_tasks) {
  if (!doc.is_object())
    return field_error("(body)",
                       "must be an object with a 'tasks' array, not " + json_type_name(doc));
  auto tasks = doc.find("tasks");
  if (tasks == doc.end())
    return field_error("tasks", "is required");
  if (!tasks->is_array())
    return field_error("tasks", "must be an array, not " + json_type_name(*tasks));
  if (tasks->empty())
    return field_error("tasks", "must hold at least one task");
  if (tasks->size() > max_tasks)
    return fail(errc::batch_too_large,
                "a batch holds at most " + std::to_string(max_tasks) + " tasks; this one has " +
                    std::to_string(tasks->size()),
                {{"max_tasks", max_tasks}, {"tasks", tasks->size()}});
  std::vector<result<task_request>> out;
  out.reserve(tasks->size());
  for (std::size_t i = 0; i < tasks->size(); ++i)
    out.push_back(decode_task((*tasks)[i], v3_fields, "tasks[" + std::to_string(i) + "]."));
  return out;
}

} // namespace nzl::net
