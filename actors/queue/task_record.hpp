#pragma once

#include "actors/queue/task_queue.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nzl::actors {

/// Where a durable task is in its life.
enum class task_status : std::uint8_t { queued, running, completed, failed, cancelled, dead };

[[nodiscard]] std::string_view to_string(task_status s) noexcept;
[[nodiscard]] std::optional<task_status> parse_task_status(std::string_view s) noexcept;
/// completed, cancelled and dead are final; failed is transient (a retry is scheduled).
[[nodiscard]] bool is_final(task_status s) noexcept;

/// One durable task as stored in the `tasks` table (JSON, key = id). Times are
/// unix milliseconds; 0 means "not yet".
struct task_record {
  std::string id;
  std::string queue = "default";
  std::string type;
  nlohmann::json payload = nlohmann::json::object();
  nlohmann::json options = nlohmann::json::object();
  priority prio = priority::normal;
  std::string client = "anonymous";
  task_status status = task_status::queued;
  std::uint32_t attempts = 0;
  std::uint32_t max_retries = 3;
  std::uint32_t timeout_ms = 30'000;
  std::int64_t created_ms = 0;
  std::int64_t not_before_ms = 0;
  std::int64_t started_ms = 0;
  std::int64_t finished_ms = 0;
  std::int64_t expires_ms = 0; ///< purge after (final tasks only)
  nlohmann::json result;       ///< null unless completed
  nlohmann::json error;        ///< null, or {"code", "detail"} of the last failure
  std::string webhook;         ///< URL to POST the final task to, or empty
  nlohmann::json webhook_attempts = nlohmann::json::array();

  /// The public view (GET /v3/tasks/<id>): no payload echo of secrets beyond
  /// what the client sent; times as RFC 3339.
  [[nodiscard]] nlohmann::json to_api_json() const;

  [[nodiscard]] std::string encode() const;
  [[nodiscard]] static std::optional<task_record> decode(std::string_view text);
};

/// Exponential backoff with jitter for retry `attempt` (1 = first retry):
/// base * 2^(attempt-1), capped, then scaled by a factor in [0.8, 1.2] drawn
/// from `unit_random` in [0, 1).
[[nodiscard]] std::int64_t retry_backoff_ms(std::uint32_t attempt, std::int64_t base_ms,
                                            std::int64_t cap_ms, double unit_random) noexcept;

} // namespace nzl::actors
