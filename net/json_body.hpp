#pragma once

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string_view>

namespace nzl::net {

/// True for `application/json` and any `application/*+json`, with or without
/// parameters, in any letter case.
[[nodiscard]] bool is_json_media_type(std::string_view content_type) noexcept;

/// Parses an untrusted request body. Refuses nesting deeper than `max_depth`
/// before parsing (so a hostile body cannot exhaust the stack or the time of
/// the parser) and reports where malformed JSON broke: `errc::invalid_json`
/// with extensions `{"line", "column", "byte"}`.
[[nodiscard]] result<nlohmann::json> parse_json_body(std::string_view body, std::size_t max_depth);

/// Serialises a response body. Invalid UTF-8 (which the parser never lets in,
/// but a handler might produce) is replaced, never thrown about.
[[nodiscard]] std::string to_json_text(const nlohmann::json& value);

} // namespace nzl::net
