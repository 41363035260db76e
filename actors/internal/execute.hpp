#pragma once

#include "core/task.hpp"
#include "plugins/task_handler.hpp"

#include <string_view>

namespace nzl::actors::internal {

/// Runs `handler` on the calling thread with a context over `request`'s
/// cancel flag. A throw becomes an `errc::internal` error: a handler bug must
/// not take the node down. The payload is moved out of `request`.
[[nodiscard]] result<nlohmann::json> execute(plugins::task_handler& handler, task_request& request,
                                             std::string_view region);

} // namespace nzl::actors::internal
