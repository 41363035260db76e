#pragma once

// Suggestions: a concrete fix for an error where one is clear.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::schema::internal {

/// "string", "string or null", ... for a mask of `type_bits`.
std::string type_names(std::uint8_t mask);

/// "integer", "number", "string", ... of a value.
std::string instance_type_name(const nlohmann::json& value);

/// Edit distance (Levenshtein) of two strings, capped at `cap + 1`.
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t cap);

/// "\"42\" is a string; 42 would pass", or "" when no conversion passes.
std::string suggest_type_conversion(const nlohmann::json& value, std::uint8_t mask);

/// "did you mean \"blue\"?" for the closest enum value, or "".
std::string suggest_enum(const nlohmann::json& value, const std::vector<nlohmann::json>& values);

/// "did you mean \"port\"?" for the nearest known property name, or "".
std::string suggest_property_name(std::string_view name,
                                  const std::vector<std::string_view>& known);

/// A description of the form a pattern expects.
std::string suggest_pattern(const std::string& source);

} // namespace nzl::schema::internal
