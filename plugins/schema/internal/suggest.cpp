#include "plugins/schema/internal/suggest.hpp"

#include "plugins/schema/internal/keywords.hpp"

#include <algorithm>
#include <cctype>

namespace nzl::schema::internal {

std::string type_names(std::uint8_t mask) {
  static constexpr std::pair<std::uint8_t, const char*> names[] = {
      {t_object, "object"},   {t_array, "array"},     {t_string, "string"}, {t_number, "number"},
      {t_integer, "integer"}, {t_boolean, "boolean"}, {t_null, "null"},
  };
  std::string out;
  for (const auto& [bit, name] : names) {
    if ((mask & bit) == 0)
      continue;
    if (!out.empty())
      out += " or ";
    out += name;
  }
  return out;
}

std::string instance_type_name(const nlohmann::json& value) {
  switch (value.type()) {
  case nlohmann::json::value_t::number_integer:
  case nlohmann::json::value_t::number_unsigned:
    return "integer";
  case nlohmann::json::value_t::number_float:
    return "number";
  default:
    return value.type_name();
  }
}

std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t cap) {
  const std::size_t diff = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (diff > cap)
    return cap + 1;
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t prev = row[0];
    row[0] = i;
    std::size_t best = row[0];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cur = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (same ? 0 : 1)});
      prev = cur;
      best = std::min(best, row[j]);
    }
    if (best > cap)
      return cap + 1;
  }
  return row[b.size()];
}

namespace {

std::string dump(const nlohmann::json& v) {
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// The closest of `candidates` to `word` within a distance that still makes
/// it a likely typo, or empty.
std::string_view closest(std::string_view word, const std::vector<std::string_view>& candidates) {
  const std::size_t cap = std::max<std::size_t>(1, std::min<std::size_t>(3, word.size() / 3 + 1));
  std::string_view best;
  std::size_t best_d = cap + 1;
  for (auto c : candidates) {
    auto d = edit_distance(word, c, cap);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

} // namespace

std::string suggest_type_conversion(const nlohmann::json& value, std::uint8_t mask) {
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if ((mask & (t_number | t_integer)) != 0 && !s.empty() && s.size() < 64) {
      auto n = nlohmann::json::parse(s, nullptr, false);
      if (!n.is_discarded() && n.is_number()) {
        const bool integral = n.is_number_integer();
        if ((mask & t_number) != 0 || integral)
          return dump(value) + " is a string; " + dump(n) + " would pass";
      }
    }
    if ((mask & t_boolean) != 0 && (s == "true" || s == "false"))
      return dump(value) + " is a string; " + s + " would pass";
    if ((mask & t_null) != 0 && s == "null")
      return dump(value) + " is a string; null would pass";
  }
  if ((value.is_number() || value.is_boolean()) && (mask & t_string) != 0)
    return dump(value) + " is a " + instance_type_name(value) + "; \"" + dump(value) +
           "\" would pass";
  if (value.is_number_float() && (mask & t_integer) != 0) {
    auto d = value.get<double>();
    if (d > -9e15 && d < 9e15 && d == static_cast<double>(static_cast<long long>(d)))
      return dump(value) + " is written as a float; " + std::to_string(static_cast<long long>(d)) +
             " would pass";
  }
  if (value.is_array() && value.size() == 1 && (mask & t_array) == 0) {
    // A single value wrapped in an array by mistake.
    const auto& only = value[0];
    const std::uint8_t kind = only.is_string()    ? t_string
                              : only.is_boolean() ? t_boolean
                              : only.is_object()  ? t_object
                              : only.is_number()  ? t_number
                                                  : 0;
    if ((mask & kind) != 0)
      return "unwrap the array: " + dump(only) + " would pass";
  }
  return {};
}

std::string suggest_enum(const nlohmann::json& value, const std::vector<nlohmann::json>& values) {
  if (value.is_string()) {
    std::vector<std::string_view> names;
    for (const auto& v : values)
      if (v.is_string())
        names.push_back(v.get_ref<const std::string&>());
    auto best = closest(value.get_ref<const std::string&>(), names);
    if (!best.empty())
      return "did you mean \"" + std::string{best} + "\"?";
    // The right value written as a string ("42" for 42).
    auto parsed = nlohmann::json::parse(value.get_ref<const std::string&>(), nullptr, false);
    if (!parsed.is_discarded())
      for (const auto& v : values)
        if (v == parsed)
          return dump(value) + " is a string; " + dump(v) + " would pass";
  }
  if (value.is_number() || value.is_boolean())
    for (const auto& v : values)
      if (v.is_string() && v.get_ref<const std::string&>() == dump(value))
        return dump(value) + " is a " + instance_type_name(value) + "; " + dump(v) + " would pass";
  if (values.size() == 1)
    return "use " + dump(values[0]);
  return {};
}

std::string suggest_property_name(std::string_view name,
                                  const std::vector<std::string_view>& known) {
  auto best = closest(name, known);
  if (best.empty())
    return "remove the property \"" + std::string{name} + "\"";
  return "did you mean \"" + std::string{best} + "\"?";
}

std::string suggest_pattern(const std::string& source) {
  // A few common forms get words; other patterns are quoted as they are.
  static const std::pair<const char*, const char*> known[] = {
      {"^[a-z0-9-]+$", "lower-case letters, digits and '-'"},
      {"^[a-z][a-z0-9-]*$", "a lower-case letter, then lower-case letters, digits and '-'"},
      {"^[0-9]+$", "digits only"},
      {"^\\d+$", "digits only"},
      {"^[A-Za-z0-9_]+$", "letters, digits and '_'"},
  };
  for (const auto& [re, words] : known)
    if (source == re)
      return std::string{"use "} + words;
  return "use a string of the form " + source;
}

} // namespace nzl::schema::internal
