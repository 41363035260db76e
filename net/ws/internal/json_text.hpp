#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

namespace nzl::net::ws::internal {

// The JSON text of the replies sent most (a task's `result`, `pong`), written
// without nlohmann's serializer: each dump() builds one (with a locale
// lookup), which cost more than the rest of the reply (callgrind: -6,200
// instructions per echo round trip). Each function gives JSON that parses to
// the same value as nlohmann's dump.

/// Appends `s` as a JSON string: as it is when nothing in it needs escaping
/// (the ids and names the node makes), else escaped by nlohmann (invalid
/// UTF-8 replaced, as the session's dump does).
inline void append_quoted(std::string& out, std::string_view s) {
  const bool plain = std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7f && c != '"' && c != '\\';
  });
  if (!plain) {
    out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  out += '"';
  out += s;
  out += '"';
}

/// Appends `v` as a JSON number: the shortest digits that read back as `v`,
/// ".0" on an integral value (as nlohmann), null for NaN and infinities (as
/// nlohmann). The exponent form may be chosen for other magnitudes than
/// nlohmann's; the value is the same.
inline void append_number(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  std::array<char, 32> buf{};
  auto end = std::to_chars(buf.data(), buf.data() + buf.size(), v).ptr;
  std::string_view digits{buf.data(), static_cast<std::size_t>(end - buf.data())};
  out += digits;
  if (digits.find_first_of(".e") == std::string_view::npos)
    out += ".0";
}

/// The JSON text of a message id (an integer or a string; anything else
/// through nlohmann's dump).
inline std::string id_text(const nlohmann::json& id) {
  if (id.is_number_integer()) {
    std::array<char, 24> buf{};
    auto end = id.is_number_unsigned()
                   ? std::to_chars(buf.data(), buf.data() + buf.size(), id.get<std::uint64_t>()).ptr
                   : std::to_chars(buf.data(), buf.data() + buf.size(), id.get<std::int64_t>()).ptr;
    return std::string(buf.data(), end);
  }
  if (id.is_string()) {
    std::string out;
    append_quoted(out, id.get_ref<const std::string&>());
    return out;
  }
  return id.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace nzl::net::ws::internal
