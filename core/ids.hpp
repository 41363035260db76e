#pragma once

#include <string>
#include <string_view>

namespace nzl {

/// A random 128-bit id in UUID v4 text form. Thread-safe.
[[nodiscard]] std::string new_task_id();

/// A request id: a per-process random prefix and a counter (cheap, unique
/// within the process, unguessable across processes). Thread-safe.
[[nodiscard]] std::string new_request_id();

/// True if a client-supplied X-Request-Id may be echoed and logged as is:
/// 1 to 128 characters of [A-Za-z0-9._:-].
[[nodiscard]] bool is_sane_request_id(std::string_view id) noexcept;

} // namespace nzl
