#pragma once

#include "net/security_service.hpp"

#include <nlohmann/json.hpp>

#include <string_view>

namespace nzl::net {

/// The body of `POST /v3/admin/keys`, validated: every error names its field.
[[nodiscard]] result<key_spec> decode_key_spec(const nlohmann::json& body);

/// The `grace_s` of `POST /v3/admin/keys/{id}/rotate` (0..30 days).
[[nodiscard]] result<std::int64_t> decode_rotate_grace(const nlohmann::json& body);

/// The query string of `GET /v3/admin/audit`.
[[nodiscard]] result<audit_query> decode_audit_query(std::string_view target);

/// The value of query parameter `name` in `target` (percent-decoded), or
/// nullopt when absent.
[[nodiscard]] std::optional<std::string> query_param(std::string_view target,
                                                     std::string_view name);

} // namespace nzl::net
