#include "net/task_codec.hpp"

#include <string>

#include "core/ids.hpp"

namespace nzl::net {

namespace {

constexpr std::size_t max_type_length = 64;
constexpr std::uint32_t max_timeout_ms = 3'600'000;

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
      if (key == "timeout_ms") {
        if (!value.is_number_integer() || value.get<std::int64_t>() <= 0 ||
            value.get<std::int64_t>() > max_timeout_ms)
          return field_error(opt_name + ".timeout_ms", "must be an integer from 1 to 3600000");
        req.options.timeout_ms = value.get<std::uint32_t>();
      } else {
        req.options.extra[key] = std::move(value);
      }
    }
  }
  req.id = new_task_id();
  return req;
}

result<std::vector<result<task_request>>> decode_batch(nlohmann::json& doc,
                                                       std::size_t max_tasks) {
  if (!doc.is_object())
    return field_error("(body)", "must be an object with a 'tasks' array, not " +
                                   json_type_name(doc));
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
