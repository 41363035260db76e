#pragma once

#include "net/http_types.hpp"

#include <nlohmann/json.hpp>

#include <optional>

namespace nzl::net {

/// A response as JSON ({status, content_type, body, headers: [[name,
/// value], ...]}): how an Idempotency-Key's answer is stored (LMDB) and how
/// it crosses the cluster link to the node that keeps the key.
[[nodiscard]] nlohmann::json response_to_json(const http_response& response);

/// The response of `doc`; nullopt when a field is missing or of the wrong
/// type (never throws: the input may come from a peer or the disk).
[[nodiscard]] std::optional<http_response> response_from_json(const nlohmann::json& doc);

} // namespace nzl::net
