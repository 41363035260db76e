#pragma once

#include "core/result.hpp"
#include "core/task.hpp"

#include <nlohmann/json.hpp>

#include <string_view>
#include <vector>

namespace nzl::net {

/// Field names of a task object: v3 `{"type", "payload", "options"}` or
/// v2 `{"task_type", "task_data"}`.
struct task_fields {
  std::string_view type = "type";
  std::string_view payload = "payload";
  std::string_view options = "options";
};

inline constexpr task_fields v3_fields{};
inline constexpr task_fields v2_fields{"task_type", "task_data", "options"};

/// Decodes and validates one task object. `where` prefixes field names in
/// errors (e.g. "tasks[3]."). The payload is moved out of `doc`.
[[nodiscard]] result<task_request> decode_task(nlohmann::json& doc, const task_fields& fields,
                                               std::string_view where = {});

/// Decodes `{"tasks": [...]}`: the array itself must be valid and hold 1 to
/// `max_tasks` entries (else the whole batch is refused); each entry decodes
/// on its own, so one bad task fails only itself.
[[nodiscard]] result<std::vector<result<task_request>>> decode_batch(nlohmann::json& doc,
                                                                     std::size_t max_tasks);

} // namespace nzl::net
