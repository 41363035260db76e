// cloudagent keys create|list|revoke|rotate: /v3/admin/keys. A key and its
// signing secret are printed once, by create and rotate, the only answers
// that carry them; list never shows a key.
#include "apps/cloudagent/commands/command.hpp"
#include "apps/cloudagent/values.hpp"

#include <array>

namespace nzl::cli {

namespace {

constexpr std::uint64_t max_expires_s = 3650ull * 86400; // ten years
constexpr std::uint64_t max_grace_s = 2592000;           // 30 days, as the node allows

constexpr std::array create_options{
    option_spec{"name", "N", "name of the key, 1-64 characters (required)"},
    option_spec{"scope", "S",
                "tasks:write, tasks:read or admin (default tasks:write and tasks:read)", true},
    option_spec{"tier", "T", "rate-limit tier (default: the node's default)"},
    option_spec{"expires-in", "D", "expire after D (3600s, 90m, 12h, 30d; default never)"},
    option_spec{"require-signature", "", "the key only works on signed requests"},
    option_spec{"ip-allow", "CIDR", "accept the key only from these addresses", true},
    option_spec{"ip-deny", "CIDR", "refuse the key from these addresses", true},
    option_spec{"country-allow", "CC", "accept the key only from these countries", true},
    option_spec{"country-deny", "CC", "refuse the key from these countries", true},
};

constexpr std::array rotate_options{
    option_spec{"grace", "D", "how long the old key stays valid (0s to 30d; required)"},
};

std::string expires_text(const nlohmann::json& record) {
  return text_of(record, "expires_at", "never");
}

// Prints a record that carries the key and secret, the one time there are.
void print_secret_record(context& ctx, const nlohmann::json& record) {
  ctx.print.out("  id:              " + sanitize(text_of(record, "id")) + "\n" +
                "  name:            " + sanitize(text_of(record, "name")) + "\n" +
                "  scopes:          " + sanitize(joined(record, "scopes")) + "\n" +
                "  expires:         " + sanitize(expires_text(record)) + "\n" +
                "  key:             " + sanitize(text_of(record, "key")) + "\n" +
                "  signing secret:  " + sanitize(text_of(record, "signing_secret")) + "\n");
  ctx.print.err_line("warning: store the key and the signing secret now; the node never shows "
                     "them again");
}

outcome<done> create(context& ctx, const parsed_args& args) {
  const std::string* name = args.value("name");
  if (name == nullptr)
    return usage_error("--name is required");
  if (auto ok = check_key_name(*name); !ok)
    return std::move(ok).err();
  nlohmann::json body{{"name", *name}};
  if (args.has("scope")) {
    auto scopes = nlohmann::json::array();
    for (auto& s : args.all("scope")) {
      if (!known_scope(s))
        return usage_error("unknown scope '" + sanitize(s) +
                           "' (scopes are tasks:write, tasks:read, admin)");
      if (std::find(scopes.begin(), scopes.end(), s) == scopes.end())
        scopes.push_back(s);
    }
    body["scopes"] = std::move(scopes);
  }
  if (auto tier = args.value("tier")) {
    if (auto ok = check_id(*tier, "--tier"); !ok)
      return std::move(ok).err();
    body["tier"] = *tier;
  }
  if (auto expires = args.value("expires-in")) {
    auto s = parse_duration_s(*expires, "--expires-in", max_expires_s);
    if (!s)
      return std::move(s).err();
    if (*s == 0)
      return usage_error("--expires-in must be longer than 0s");
    body["expires_in_s"] = *s;
  }
  body["signature_required"] = args.has("require-signature");
  for (auto list : {"ip-allow", "ip-deny"}) {
    auto values = nlohmann::json::array();
    for (auto& v : args.all(list)) {
      if (auto ok = check_cidr_text(v); !ok)
        return std::move(ok).err();
      values.push_back(v);
    }
    body[list == std::string_view{"ip-allow"} ? "ip_allow" : "ip_deny"] = std::move(values);
  }
  for (auto list : {"country-allow", "country-deny"}) {
    auto values = nlohmann::json::array();
    for (auto& v : args.all(list)) {
      auto cc = parse_country(v);
      if (!cc)
        return std::move(cc).err();
      values.push_back(*cc);
    }
    body[list == std::string_view{"country-allow"} ? "country_allow" : "country_deny"] =
        std::move(values);
  }
  auto answer = call_node(ctx, "POST", "/v3/admin/keys", &body);
  if (!answer)
    return std::move(answer).err();
  if (ctx.options.json)
    return done{};
  ctx.print.out("Created key:\n");
  print_secret_record(ctx, answer->body);
  return done{};
}

outcome<done> list(context& ctx, const parsed_args&) {
  auto answer = call_node(ctx, "GET", "/v3/admin/keys");
  if (!answer)
    return std::move(answer).err();
  if (ctx.options.json)
    return done{};
  table t{{"ID", "NAME", "PREFIX", "SCOPES", "TIER", "STATUS", "CREATED", "EXPIRES"}};
  for (auto& k : array_of(answer->body, "keys"))
    t.add_row({text_of(k, "id"), text_of(k, "name"), text_of(k, "prefix"), joined(k, "scopes"),
               text_of(k, "tier"), text_of(k, "status"), text_of(k, "created_at"),
               expires_text(k)});
  ctx.print.out(t.render());
  return done{};
}

outcome<done> revoke(context& ctx, const parsed_args& args) {
  const std::string& id = args.positionals.front();
  if (auto ok = check_id(id, "key id"); !ok)
    return std::move(ok).err();
  auto answer = call_node(ctx, "DELETE", "/v3/admin/keys/" + id);
  if (!answer)
    return std::move(answer).err();
  if (ctx.options.json)
    return done{};
  auto& k = answer->body;
  ctx.print.out(sanitize("Revoked key " + text_of(k, "id") + " (" + text_of(k, "name") +
                         ", prefix " + text_of(k, "prefix") + ") at " + text_of(k, "revoked_at")) +
                "\n");
  return done{};
}

outcome<done> rotate(context& ctx, const parsed_args& args) {
  const std::string& id = args.positionals.front();
  if (auto ok = check_id(id, "key id"); !ok)
    return std::move(ok).err();
  const std::string* grace = args.value("grace");
  if (grace == nullptr)
    return usage_error("--grace is required (how long the old key stays valid, e.g. 1h; 0s ends "
                       "it now)");
  auto grace_s = parse_duration_s(*grace, "--grace", max_grace_s);
  if (!grace_s)
    return std::move(grace_s).err();
  nlohmann::json body{{"grace_s", *grace_s}};
  auto answer = call_node(ctx, "POST", "/v3/admin/keys/" + id + "/rotate", &body);
  if (!answer)
    return std::move(answer).err();
  if (ctx.options.json)
    return done{};
  static const nlohmann::json none = nlohmann::json::object();
  auto& b = answer->body;
  const auto& fresh = b.is_object() && b.contains("key") ? b["key"] : none;
  const auto& previous = b.is_object() && b.contains("previous") ? b["previous"] : none;
  ctx.print.out("New key:\n");
  print_secret_record(ctx, fresh);
  ctx.print.out(sanitize("The previous key " + text_of(previous, "id") + " (prefix " +
                         text_of(previous, "prefix") + ") stays valid until " +
                         expires_text(previous)) +
                ".\n");
  return done{};
}

constexpr std::array commands{
    subcommand{"create", "", "create a key; prints the key and its signing secret once",
               create_options, 0, 0, create},
    subcommand{"list",
               "",
               "list keys (id, name, prefix, scopes, tier, status, dates; never a key)",
               {},
               0,
               0,
               list},
    subcommand{"revoke", "ID", "revoke a key now", {}, 1, 1, revoke},
    subcommand{"rotate", "ID", "issue a new key for ID; the old one stays valid for --grace",
               rotate_options, 1, 1, rotate},
};

} // namespace

command_group keys_group() {
  return {"keys", "manage API keys (admin)", commands};
}

} // namespace nzl::cli
