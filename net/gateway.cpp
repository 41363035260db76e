// The gateway: every request walks the security layers before the API sees
// it. Order (the issue's): IP rules, API key, signature, country rules, rate
// limit; TLS is the server's. The walk stops at the first refusal, which is
// answered as a problem document and audited with the rule that refused it.
//
// Nothing here blocks or waits: keys come from this io thread's cache of
// keys it verified under the current key-set version (a keyed-hash slot, then
// a constant-time comparison of the whole key), else from the security
// service's in-memory cache (a SHA-256 lookup, then a constant-time
// comparison); nonces from its in-memory window, tokens from its bucket
// owners. What must last (nonces, buckets, audit records) the service writes
// behind, through the group commit; see actors/security_store.cpp for what a
// crash can lose.
#include "net/gateway.hpp"

#include "security/credential_cache.hpp"
#include "security/signing.hpp"

#include <fmt/format.h>

namespace nzl::net {

namespace {

// Credentials this io thread verified, per version of the key set. One per
// thread rather than one per gateway behind a lock: io threads never wait on
// each other for it. Several gateways of one process (tests) share it safely:
// key-set versions are unique per process.
thread_local security::credential_cache<std::shared_ptr<const key_entry>> verified_keys;

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool needs_key(std::string_view path) {
  return path == "/v3" || path.starts_with("/v3/") || path == "/api" || path.starts_with("/api/");
}

bool has_scope(unsigned scopes, route_scope needed) {
  if (scopes & scope_admin)
    return true;
  switch (needed) {
  case route_scope::none:
    return true;
  case route_scope::tasks_read:
    return scopes & scope_tasks_read;
  case route_scope::tasks_write:
    return scopes & scope_tasks_write;
  case route_scope::admin:
    return false;
  }
  return false;
}

std::string_view scope_name(route_scope scope) {
  switch (scope) {
  case route_scope::tasks_read:
    return "tasks:read";
  case route_scope::tasks_write:
    return "tasks:write";
  case route_scope::admin:
    return "admin";
  case route_scope::none:
    break;
  }
  return "";
}

std::string ip_rule_text(const security::ip_decision& d, std::string_view where) {
  if (d.outcome == security::ip_decision::kind::denied_by_rule && d.rule)
    return fmt::format("{}_ip_deny:{}", where, d.rule->to_string());
  return fmt::format("{}_ip_allow", where);
}

} // namespace

result<bool> parse_gateway_rules(const gateway_rule_texts& texts, gateway_options& out) {
  auto cidrs = [](const std::vector<std::string>& list, std::string_view name,
                  std::vector<security::cidr>& into) -> result<bool> {
    auto parsed = security::parse_cidrs(list);
    if (!parsed)
      return fail(errc::invalid_field, fmt::format("security.{}: {}", name, parsed.err().detail));
    into = std::move(*parsed);
    return true;
  };
  auto countries = [](const std::vector<std::string>& list, std::string_view name,
                      std::vector<std::string>& into) -> result<bool> {
    auto parsed = security::parse_country_codes(list);
    if (!parsed)
      return fail(errc::invalid_field, fmt::format("security.{}: {}", name, parsed.err().detail));
    into = std::move(*parsed);
    return true;
  };
  for (auto r : {cidrs(texts.trusted_proxies, "trusted_proxies", out.trusted_proxies),
                 cidrs(texts.ip_allow, "ip_allow", out.ip.allow),
                 cidrs(texts.ip_deny, "ip_deny", out.ip.deny),
                 countries(texts.country_allow, "country_allow", out.country.allow),
                 countries(texts.country_deny, "country_deny", out.country.deny)})
    if (!r)
      return r;
  return true;
}

gateway::gateway(gateway_options options, security_service& service)
    : options_(std::move(options)), service_(service),
      tiers_(std::make_shared<const std::vector<security::rate_tier>>(std::move(options_.tiers))) {
  // The tiers live in tiers_ alone (they can be reloaded); no stale copy.
  options_.tiers.clear();
  if (!options_.now_ms)
    options_.now_ms = system_now_ms;
}

namespace {

const security::rate_tier* find_tier(const std::vector<security::rate_tier>& tiers,
                                     std::string_view name) noexcept {
  for (const auto& t : tiers)
    if (t.name == name)
      return &t;
  return nullptr;
}

} // namespace

void gateway::reload_tiers(std::vector<security::rate_tier> tiers) {
  tiers_.store(std::make_shared<const std::vector<security::rate_tier>>(std::move(tiers)));
}

std::shared_ptr<const std::vector<security::rate_tier>> gateway::tiers() const {
  return tiers_.load();
}

void gateway::refuse(admission& adm, error err, std::string rule) const {
  adm.refusal = std::move(err);
  adm.rule = std::move(rule);
}

admission gateway::admit(const http_request& request, route kind) {
  admission adm;
  const auto path = path_of(request.target);
  adm.method = request.method;
  adm.path = path;
  adm.request_id = request.request_id;

  // Who is asking: the peer, or the client a trusted proxy names.
  auto peer = security::ip_address::parse(request.peer_address);
  if (!peer) {
    // The server always knows its peer; an unparsable one is refused rather
    // than let through unchecked.
    refuse(adm, error{errc::forbidden, "the client address is unknown", {}}, "peer_address");
    return adm;
  }
  const bool peer_trusted = security::any_contains(options_.trusted_proxies, *peer);
  auto client =
      peer_trusted
          ? security::client_address(*peer, request.forwarded_for, options_.trusted_proxies).address
          : *peer;
  adm.client_ip = client.to_string();

  // 1. IP rules (global).
  if (auto d = options_.ip.decide(client); !d.allowed()) {
    refuse(adm, error{errc::forbidden, "requests from " + adm.client_ip + " are not allowed", {}},
           ip_rule_text(d, "global"));
    return adm;
  }

  // 2. API key.
  const key_entry* key = nullptr;
  std::shared_ptr<const key_entry> held; // keeps a key found outside the cache alive
  std::int64_t now = 0;                  // read once for a key: its checks and its signature
  auto credential = security::parse_credentials(request.authorization, request.api_key);
  if (!credential) {
    refuse(adm, error{errc::unauthenticated, credential.err().detail, {}}, "key_malformed");
    return adm;
  }
  if (!credential->empty()) {
    // A key this thread verified under the current key set is answered from
    // its cache (no SHA-256, no lock; see security/credential_cache.hpp for
    // why that is as safe). Admit never re-enters, so the cached entry stays
    // put until this request is decided.
    const auto version = service_.keys_version();
    if (const auto* hit = version != 0 ? verified_keys.find(*credential, version) : nullptr)
      key = hit->get();
    if (!key) {
      auto digest = security::hash_key(*credential);
      held = service_.find_key(digest);
      // The store is found by digest; the comparison that decides is
      // constant time, so a near miss tells an attacker nothing.
      if (!held || !security::digest_equal(held->digest, digest)) {
        refuse(adm, error{errc::unauthenticated, "the API key is not known", {}}, "key_unknown");
        return adm;
      }
      key = held.get();
      // Revoked and expired keys are cached too: those checks below run on
      // every request against the clock.
      if (version != 0)
        verified_keys.insert(*credential, held, version);
    }
    adm.key_id = key->id;
    now = options_.now_ms();
    if (key->revoked_at_ms != 0 && key->revoked_at_ms <= now) {
      refuse(adm, error{errc::unauthenticated, "the API key was revoked", {}}, "key_revoked");
      return adm;
    }
    if (key->expires_at_ms != 0 && key->expires_at_ms <= now) {
      refuse(adm, error{errc::unauthenticated, "the API key has expired", {}}, "key_expired");
      return adm;
    }
    if (auto d = key->ip.decide(client); !d.allowed()) {
      refuse(adm, error{errc::forbidden, "this key may not be used from " + adm.client_ip, {}},
             ip_rule_text(d, "key"));
      return adm;
    }
  } else if (options_.require_keys && needs_key(path)) {
    refuse(adm,
           error{errc::unauthenticated,
                 "an API key is required: send Authorization: Bearer <key> or X-API-Key",
                 {}},
           "key_missing");
    return adm;
  }
  const auto needed = scope_of(kind);
  if (key && !has_scope(key->scopes, needed)) {
    refuse(adm,
           error{errc::forbidden,
                 fmt::format("this key lacks the {} scope", scope_name(needed)),
                 {{"scope", scope_name(needed)}}},
           fmt::format("scope:{}", scope_name(needed)));
    return adm;
  }
  if (!key && options_.require_keys && needed == route_scope::admin) {
    refuse(adm, error{errc::unauthenticated, "an admin API key is required", {}}, "key_missing");
    return adm;
  }

  // 3. Signature.
  if (key && (key->signature_required ||
              (options_.admin_signature_required && needed == route_scope::admin))) {
    const auto now_s = now / 1000;
    security::signature_headers headers{request.timestamp, request.nonce, request.signature};
    auto status =
        security::verify_request(key->signing_secret, headers, to_string(request.method),
                                 request.target, request.body, now_s, options_.signature_window_s);
    if (status != security::signature_status::ok) {
      refuse(adm,
             error{errc::unauthenticated,
                   fmt::format("the request signature was refused: {}", to_string(status)),
                   {{"reason", to_string(status)}}},
             fmt::format("signature:{}", to_string(status)));
      return adm;
    }
    const auto ts = *security::parse_timestamp(request.timestamp);
    if (ts < service_.replay_fence_s()) {
      refuse(adm,
             error{errc::unauthenticated,
                   "the request was signed before the node restarted unexpectedly; sign it "
                   "again with a current timestamp",
                   {{"reason", "before_restart"}}},
             "signature:before_restart");
      return adm;
    }
    switch (service_.remember_nonce(key->id, request.nonce, ts + options_.signature_window_s)) {
    case security_service::nonce_verdict::fresh:
      break;
    case security_service::nonce_verdict::replay:
      refuse(adm,
             error{errc::unauthenticated,
                   "this nonce was already used (a replayed request)",
                   {{"reason", "nonce_replayed"}}},
             "signature:nonce_replayed");
      return adm;
    case security_service::nonce_verdict::full:
      refuse(adm, error{errc::overloaded, "too many signed requests in the window", {}},
             "signature:nonce_window_full");
      return adm;
    }
  }

  // 4. Country rules (global, then the key's).
  auto country =
      security::resolve_country(options_.geo.get(), client, peer_trusted, request.country);
  if (country)
    adm.country = *country;
  if (!options_.country.decide(country).allowed()) {
    refuse(adm,
           error{errc::forbidden,
                 "requests from " + (country ? *country : std::string{"an unknown country"}) +
                     " are not allowed",
                 {}},
           "global_country:" + (country ? *country : std::string{"unknown"}));
    return adm;
  }
  if (key && !key->country.decide(country).allowed()) {
    refuse(adm,
           error{errc::forbidden,
                 "this key may not be used from " +
                     (country ? *country : std::string{"an unknown country"}),
                 {}},
           "key_country:" + (country ? *country : std::string{"unknown"}));
    return adm;
  }

  // 5. Rate limit: per key, or per client address without one.
  adm.tiers = tiers_.load();
  adm.tier = find_tier(*adm.tiers, key ? std::string_view{key->tier}
                                       : std::string_view{options_.anonymous_tier});
  if (!adm.tier)
    adm.tier = find_tier(*adm.tiers, "default");
  if (adm.tier) {
    adm.bucket = key ? "key:" + key->id : "ip:" + adm.client_ip;
    adm.taken = service_.take_tokens(adm.bucket, *adm.tier, 1);
    if (!adm.taken->allowed) {
      refuse(adm,
             error{errc::rate_limited,
                   fmt::format("the rate limit of tier '{}' ({} per {} s) is used up",
                               adm.tier->name, adm.tier->quota, adm.tier->window_s),
                   {{"tier", adm.tier->name}}},
             "rate_limit:" + adm.tier->name);
      return adm;
    }
  }
  return adm;
}

std::optional<error> gateway::take_more(admission& adm, std::int64_t n) {
  if (!adm.tier || n <= 0)
    return std::nullopt;
  adm.taken = service_.take_tokens(adm.bucket, *adm.tier, n);
  if (adm.taken->allowed)
    return std::nullopt;
  adm.rule = "rate_limit:" + adm.tier->name;
  return error{errc::rate_limited,
               fmt::format("this batch needs {} more requests of tier '{}' than are left", n,
                           adm.tier->name),
               {{"tier", adm.tier->name}}};
}

void gateway::finish(const admission& adm, http_response& response) {
  if (adm.tier && adm.taken) {
    response.headers.emplace_back("RateLimit-Policy", security::ratelimit_policy_value(*adm.tier));
    response.headers.emplace_back("RateLimit", security::ratelimit_value(*adm.tier, *adm.taken));
    if (response.status == 429)
      response.headers.emplace_back("Retry-After", security::retry_after_value(*adm.taken));
  }
  audit_entry entry;
  entry.time_ms = options_.now_ms();
  entry.key_id = adm.key_id;
  entry.client_ip = adm.client_ip;
  entry.country = adm.country;
  entry.method = to_string(adm.method);
  entry.path = adm.path;
  entry.task_type = response.task_type;
  entry.status = response.status;
  entry.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - adm.started)
          .count();
  entry.request_id = adm.request_id;
  entry.rule = adm.rule;
  service_.audit(std::move(entry));
}

} // namespace nzl::net
