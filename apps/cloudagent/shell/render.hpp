#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace nzl::cli::shell {

/// A command's answer as text for a terminal: an object's scalar members as
/// aligned "name: value" lines, then its first array of objects as an
/// aligned table (columns in order of first appearance); nested values as
/// compact JSON; `config show` as indented JSON. Text from the node is
/// sanitized (no control characters). Pure function.
[[nodiscard]] std::string render_answer(std::string_view command, const nlohmann::json& body);

} // namespace nzl::cli::shell
