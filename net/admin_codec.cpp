#include "net/admin_codec.hpp"

#include "core/time.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace nzl::net {

namespace {

using nlohmann::json;

constexpr std::int64_t max_grace_s = 30 * 86'400;
constexpr std::int64_t max_expires_in_s = 10LL * 365 * 86'400;
constexpr std::size_t max_rule_entries = 256;

result<bool> field_error(std::string_view field, std::string_view what) {
  return fail(errc::invalid_field, fmt::format("{}: {}", field, what),
              {{"field", std::string{field}}});
}

result<bool> string_list(const json& body, const char* field, std::vector<std::string>& out) {
  auto it = body.find(field);
  if (it == body.end())
    return true;
  if (!it->is_array() || it->size() > max_rule_entries)
    return field_error(field, "must be an array of at most 256 strings");
  for (const auto& v : *it) {
    if (!v.is_string() || v.get_ref<const std::string&>().empty() ||
        v.get_ref<const std::string&>().size() > 64)
      return field_error(field, "every entry must be a string of 1-64 characters");
    out.push_back(v.get<std::string>());
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= text.size())
        return std::nullopt;
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0)
        return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

template <class Int> std::optional<Int> parse_int(std::string_view text) {
  Int value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

} // namespace

std::optional<std::string> query_param(std::string_view target, std::string_view name) {
  auto q = target.find('?');
  if (q == std::string_view::npos)
    return std::nullopt;
  auto query = target.substr(q + 1);
  if (auto hash = query.find('#'); hash != std::string_view::npos)
    query = query.substr(0, hash);
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    auto eq = pair.find('=');
    auto key = pair.substr(0, eq);
    if (key != name)
      continue;
    if (eq == std::string_view::npos)
      return std::string{};
    return percent_decode(pair.substr(eq + 1));
  }
  return std::nullopt;
}

result<key_spec> decode_key_spec(const json& body) {
  if (!body.is_object())
    return fail(errc::invalid_field, "the body must be a JSON object", {{"field", ""}});
  static const std::vector<std::string> known{
      "name",     "scopes",  "tier",          "expires_in_s", "signature_required",
      "ip_allow", "ip_deny", "country_allow", "country_deny"};
  for (const auto& [k, v] : body.items())
    if (std::find(known.begin(), known.end(), k) == known.end())
      return fail(errc::invalid_field, "unknown field '" + k + "'", {{"field", k}});
  key_spec spec;
  auto name = body.find("name");
  if (name == body.end() || !name->is_string() || name->get_ref<const std::string&>().empty() ||
      name->get_ref<const std::string&>().size() > 64)
    return fail(errc::invalid_field, "name: a string of 1-64 characters is required",
                {{"field", "name"}});
  spec.name = name->get<std::string>();
  for (unsigned char c : spec.name)
    if (c < 0x20 || c == 0x7f)
      return fail(errc::invalid_field, "name: control characters are not allowed",
                  {{"field", "name"}});
  if (auto s = body.find("scopes"); s != body.end()) {
    if (!s->is_array() || s->empty() || s->size() > 3)
      return fail(errc::invalid_field, "scopes: a non-empty array of scope names",
                  {{"field", "scopes"}});
    spec.scopes = 0;
    for (const auto& v : *s) {
      if (v == "tasks:read")
        spec.scopes |= scope_tasks_read;
      else if (v == "tasks:write")
        spec.scopes |= scope_tasks_write;
      else if (v == "admin")
        spec.scopes |= scope_admin;
      else
        return fail(errc::invalid_field,
                    "scopes: each must be one of tasks:read, tasks:write, admin",
                    {{"field", "scopes"}});
    }
  }
  if (auto t = body.find("tier"); t != body.end()) {
    if (!t->is_string() || !security::valid_tier_name(t->get_ref<const std::string&>()))
      return fail(errc::invalid_field, "tier: 1-32 characters of [a-z0-9_-]", {{"field", "tier"}});
    spec.tier = t->get<std::string>();
  }
  if (auto e = body.find("expires_in_s"); e != body.end()) {
    if (!e->is_number_integer() || e->get<std::int64_t>() < 1 ||
        e->get<std::int64_t>() > max_expires_in_s)
      return fail(errc::invalid_field, "expires_in_s: an integer from 1 to 315360000",
                  {{"field", "expires_in_s"}});
    spec.expires_in_s = e->get<std::int64_t>();
  }
  if (auto r = body.find("signature_required"); r != body.end()) {
    if (!r->is_boolean())
      return fail(errc::invalid_field, "signature_required: a boolean",
                  {{"field", "signature_required"}});
    spec.signature_required = r->get<bool>();
  }
  for (auto [field, list] :
       {std::pair{"ip_allow", &spec.ip_allow}, std::pair{"ip_deny", &spec.ip_deny},
        std::pair{"country_allow", &spec.country_allow},
        std::pair{"country_deny", &spec.country_deny}}) {
    if (auto ok = string_list(body, field, *list); !ok)
      return std::move(ok).err();
  }
  // The lists must parse as the gateway will read them.
  if (auto p = security::parse_cidrs(spec.ip_allow); !p)
    return fail(errc::invalid_field, "ip_allow: " + p.err().detail, {{"field", "ip_allow"}});
  if (auto p = security::parse_cidrs(spec.ip_deny); !p)
    return fail(errc::invalid_field, "ip_deny: " + p.err().detail, {{"field", "ip_deny"}});
  if (auto p = security::parse_country_codes(spec.country_allow); !p)
    return fail(errc::invalid_field, "country_allow: " + p.err().detail,
                {{"field", "country_allow"}});
  else
    spec.country_allow = std::move(*p);
  if (auto p = security::parse_country_codes(spec.country_deny); !p)
    return fail(errc::invalid_field, "country_deny: " + p.err().detail,
                {{"field", "country_deny"}});
  else
    spec.country_deny = std::move(*p);
  return spec;
}

result<std::int64_t> decode_rotate_grace(const json& body) {
  if (!body.is_object())
    return fail(errc::invalid_field, "the body must be a JSON object", {{"field", ""}});
  for (const auto& [k, v] : body.items())
    if (k != "grace_s")
      return fail(errc::invalid_field, "unknown field '" + k + "'", {{"field", k}});
  auto g = body.find("grace_s");
  // Required: a default of 0 would revoke the old key at once.
  if (g == body.end())
    return fail(errc::invalid_field,
                "grace_s is required: the seconds the old key keeps working (0 ends it now)",
                {{"field", "grace_s"}});
  if (!g->is_number_integer() || g->get<std::int64_t>() < 0 || g->get<std::int64_t>() > max_grace_s)
    return fail(errc::invalid_field, "grace_s: an integer from 0 to 2592000 (30 days)",
                {{"field", "grace_s"}});
  return g->get<std::int64_t>();
}

result<audit_query> decode_audit_query(std::string_view target) {
  audit_query q;
  for (std::size_t i = target.find('%'); i != std::string_view::npos; i = target.find('%', i + 1))
    if (i + 2 >= target.size() || hex_value(target[i + 1]) < 0 || hex_value(target[i + 2]) < 0)
      return fail(errc::invalid_field, "the query string has a malformed %-escape",
                  {{"field", "query"}});
  auto bad = [](const char* field, std::string_view what) {
    return fail(errc::invalid_field, fmt::format("{}: {}", field, what), {{"field", field}});
  };
  if (auto v = query_param(target, "since")) {
    auto t = parse_rfc3339(*v);
    if (!t)
      return bad("since", "an RFC 3339 time, e.g. 2026-11-28T10:00:00Z");
    q.since_ms = *t;
  }
  if (auto v = query_param(target, "until")) {
    auto t = parse_rfc3339(*v);
    if (!t)
      return bad("until", "an RFC 3339 time, e.g. 2026-11-28T11:00:00Z");
    q.until_ms = *t;
  }
  if (auto v = query_param(target, "key")) {
    if (!security::valid_key_id(*v))
      return bad("key", "a key id (k_ and 16 hex characters)");
    q.key_id = *v;
  }
  if (auto v = query_param(target, "status")) {
    auto n = parse_int<int>(*v);
    if (!n || *n < 100 || *n > 599)
      return bad("status", "an HTTP status code");
    q.status = *n;
  }
  if (auto v = query_param(target, "limit")) {
    auto n = parse_int<std::size_t>(*v);
    if (!n || *n < 1 || *n > 1000)
      return bad("limit", "an integer from 1 to 1000");
    q.limit = *n;
  }
  if (auto v = query_param(target, "after")) {
    auto n = parse_int<std::uint64_t>(*v);
    if (!n)
      return bad("after", "the 'next' cursor of a previous page");
    q.after = *n;
  }
  return q;
}

} // namespace nzl::net
