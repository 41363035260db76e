#include "security/key_record.hpp"

#include "core/time.hpp"
#include "security/internal/encoding.hpp"
#include "security/rate_limiter.hpp"

#include <array>

namespace nzl::security {

namespace {

constexpr std::array<scope, 3> all_scopes = {scope::tasks_write, scope::tasks_read, scope::admin};

nlohmann::json texts_of(const std::vector<cidr>& list) {
  auto out = nlohmann::json::array();
  for (const auto& rule : list)
    out.push_back(rule.to_string());
  return out;
}

error damaged(const std::string& what) {
  return fail(errc::storage_failed, "stored API key record: " + what);
}

// A JSON array of at most max_rules_per_key strings.
std::optional<std::vector<std::string>> string_list(const nlohmann::json& value) {
  if (!value.is_array() || value.size() > max_rules_per_key)
    return std::nullopt;
  std::vector<std::string> out;
  for (const auto& item : value) {
    if (!item.is_string())
      return std::nullopt;
    out.push_back(item.get<std::string>());
  }
  return out;
}

nlohmann::json date_json(std::int64_t ms) {
  return ms == 0 ? nlohmann::json(nullptr) : nlohmann::json(rfc3339(ms));
}

} // namespace

std::optional<scope> parse_scope(std::string_view text) noexcept {
  for (scope s : all_scopes)
    if (to_string(s) == text)
      return s;
  return std::nullopt;
}

std::string_view to_string(scope s) noexcept {
  switch (s) {
  case scope::tasks_write:
    return "tasks:write";
  case scope::tasks_read:
    return "tasks:read";
  case scope::admin:
    return "admin";
  }
  return "";
}

result<scope_set> parse_scopes(const std::vector<std::string>& texts) {
  scope_set out;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    auto s = parse_scope(texts[i]);
    if (!s)
      return fail(errc::invalid_field,
                  "unknown scope (expected tasks:write, tasks:read or admin): " +
                      texts[i].substr(0, 32),
                  {{"index", i}});
    out.add(*s);
  }
  return out;
}

std::vector<std::string> format_scopes(scope_set scopes) {
  std::vector<std::string> out;
  for (scope s : all_scopes)
    if (scopes.has(s))
      out.emplace_back(to_string(s));
  return out;
}

bool valid_key_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > max_key_name_length || name.front() == ' ' ||
      name.back() == ' ')
    return false;
  for (char c : name)
    if (c < 0x20 || c > 0x7e)
      return false;
  return true;
}

bool key_record::usable_at(std::int64_t now_ms) const noexcept {
  if (revoked_at_ms != 0)
    return false;
  return expires_at_ms == 0 || now_ms < expires_at_ms;
}

nlohmann::json key_record::to_storage_json() const {
  return {{"v", 1},
          {"id", id},
          {"name", name},
          {"prefix", prefix},
          {"key_hash", to_hex(key_hash)},
          {"scopes", format_scopes(scopes)},
          {"tier", tier},
          {"ip_allow", texts_of(ip.allow)},
          {"ip_deny", texts_of(ip.deny)},
          {"country_allow", country.allow},
          {"country_deny", country.deny},
          {"signature_required", signature_required},
          {"signing_secret_sealed", internal::base64_encode(signing_secret_sealed)},
          {"created_at_ms", created_at_ms},
          {"expires_at_ms", expires_at_ms},
          {"revoked_at_ms", revoked_at_ms},
          {"replaced_by", replaced_by}};
}

nlohmann::json key_record::to_public_json() const {
  return {
      {"id", id},
      {"name", name},
      {"prefix", prefix},
      {"scopes", format_scopes(scopes)},
      {"tier", tier},
      {"ip_allow", texts_of(ip.allow)},
      {"ip_deny", texts_of(ip.deny)},
      {"country_allow", country.allow},
      {"country_deny", country.deny},
      {"signature_required", signature_required},
      {"has_signing_secret", !signing_secret_sealed.empty()},
      {"created_at", date_json(created_at_ms)},
      {"expires_at", date_json(expires_at_ms)},
      {"revoked_at", date_json(revoked_at_ms)},
      {"created_at_ms", created_at_ms},
      {"expires_at_ms", expires_at_ms},
      {"revoked_at_ms", revoked_at_ms},
      {"replaced_by", replaced_by.empty() ? nlohmann::json(nullptr) : nlohmann::json(replaced_by)}};
}

result<key_record> key_record::from_storage_json(const nlohmann::json& json) {
  static const std::array<std::string_view, 17> fields = {"v",
                                                          "id",
                                                          "name",
                                                          "prefix",
                                                          "key_hash",
                                                          "scopes",
                                                          "tier",
                                                          "ip_allow",
                                                          "ip_deny",
                                                          "country_allow",
                                                          "country_deny",
                                                          "signature_required",
                                                          "signing_secret_sealed",
                                                          "created_at_ms",
                                                          "expires_at_ms",
                                                          "revoked_at_ms",
                                                          "replaced_by"};
  if (!json.is_object())
    return damaged("not an object");
  for (const auto& [name, value] : json.items()) {
    bool known = false;
    for (auto field : fields)
      known = known || field == name;
    if (!known)
      return damaged("unknown field " + name.substr(0, 32));
  }
  for (auto field : fields)
    if (!json.contains(field))
      return damaged("missing field " + std::string(field));
  auto is_string = [&](const char* f) {
    return json[f].is_string();
  };
  auto is_int = [&](const char* f) {
    return json[f].is_number_integer();
  };
  if (json["v"] != 1)
    return damaged("unknown version");
  if (!is_string("id") || !is_string("name") || !is_string("prefix") || !is_string("key_hash") ||
      !is_string("tier") || !is_string("signing_secret_sealed") || !is_string("replaced_by") ||
      !json["signature_required"].is_boolean() || !is_int("created_at_ms") ||
      !is_int("expires_at_ms") || !is_int("revoked_at_ms"))
    return damaged("a field has the wrong type");

  key_record out;
  out.id = json["id"].get<std::string>();
  if (!valid_key_id(out.id))
    return damaged("bad id");
  out.name = json["name"].get<std::string>();
  if (!valid_key_name(out.name))
    return damaged("bad name");
  out.prefix = json["prefix"].get<std::string>();
  if (out.prefix.size() > shown_prefix_length)
    return damaged("bad prefix");
  auto hash = digest_from_hex(json["key_hash"].get<std::string>());
  if (!hash)
    return damaged("bad key_hash");
  out.key_hash = *hash;
  auto scope_texts = string_list(json["scopes"]);
  if (!scope_texts)
    return damaged("bad scopes");
  auto scopes = parse_scopes(*scope_texts);
  if (!scopes)
    return damaged("bad scopes");
  out.scopes = *scopes;
  out.tier = json["tier"].get<std::string>();
  if (!valid_tier_name(out.tier))
    return damaged("bad tier");
  for (auto [field, target] : {std::pair{"ip_allow", &out.ip.allow}, {"ip_deny", &out.ip.deny}}) {
    auto texts = string_list(json[field]);
    if (!texts)
      return damaged(std::string("bad ") + field);
    auto rules = parse_cidrs(*texts);
    if (!rules)
      return damaged(std::string("bad ") + field);
    *target = std::move(*rules);
  }
  for (auto [field, target] :
       {std::pair{"country_allow", &out.country.allow}, {"country_deny", &out.country.deny}}) {
    auto texts = string_list(json[field]);
    if (!texts)
      return damaged(std::string("bad ") + field);
    auto codes = parse_country_codes(*texts);
    if (!codes)
      return damaged(std::string("bad ") + field);
    *target = std::move(*codes);
  }
  out.signature_required = json["signature_required"].get<bool>();
  auto sealed = internal::base64_decode(json["signing_secret_sealed"].get<std::string>());
  if (!sealed)
    return damaged("bad signing_secret_sealed");
  out.signing_secret_sealed = std::move(*sealed);
  out.created_at_ms = json["created_at_ms"].get<std::int64_t>();
  out.expires_at_ms = json["expires_at_ms"].get<std::int64_t>();
  out.revoked_at_ms = json["revoked_at_ms"].get<std::int64_t>();
  if (out.created_at_ms < 0 || out.expires_at_ms < 0 || out.revoked_at_ms < 0)
    return damaged("negative time");
  out.replaced_by = json["replaced_by"].get<std::string>();
  if (!out.replaced_by.empty() && !valid_key_id(out.replaced_by))
    return damaged("bad replaced_by");
  return out;
}

} // namespace nzl::security
