#pragma once

#include "tests/support/http_client.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace nzl::test {

/// GET /v3/tasks/<id>: the task's record when the node answers 200, otherwise
/// a discarded value (no answer, or another status).
[[nodiscard]] nlohmann::json get_task(http_client& client, std::string_view id);

/// Polls GET /v3/tasks/<id> until the task's status is `status` or `bound`
/// passes; returns the last record seen (check its "status"; a discarded
/// value if the node never answered 200).
[[nodiscard]] nlohmann::json wait_for_status(http_client& client, std::string_view id,
                                             std::string_view status,
                                             std::chrono::milliseconds bound);

} // namespace nzl::test
