#pragma once

#include "core/error.hpp"
#include "net/http_types.hpp"
#include "net/router.hpp"
#include "net/security_service.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nzl::net {

/// The gateway's rules (from the manifest's `security` section, parsed).
struct gateway_options {
  bool require_keys = true;
  bool admin_signature_required = false;
  std::int64_t signature_window_s = 300;
  std::vector<security::cidr> trusted_proxies;
  security::ip_rules ip;
  security::country_rules country;
  std::shared_ptr<const security::geo_db> geo; ///< null: CF-IPCountry from trusted proxies
  std::vector<security::rate_tier> tiers;      ///< holds "default" and `anonymous_tier`
  std::string anonymous_tier = "anonymous";
  /// Unix milliseconds; injected by tests.
  std::function<std::int64_t()> now_ms;
};

/// What the gateway decided about one request, kept until its answer is
/// sent (rate-limit headers, audit record).
struct admission {
  std::optional<error> refusal; ///< set: answer with this problem, run nothing
  std::string rule;             ///< the rule that refused it (audit); empty otherwise
  http_method method = http_method::other;
  std::string path;
  std::string request_id;
  std::string key_id; ///< empty: no key
  std::string client_ip;
  std::string country;
  std::string bucket;                        ///< the rate-limit bucket charged
  const security::rate_tier* tier = nullptr; ///< its tier; null: not limited
  /// The tier list `tier` points into, kept alive across a reload of tiers.
  std::shared_ptr<const std::vector<security::rate_tier>> tiers;
  std::optional<security::take_result> taken; ///< the bucket after the take
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

/// The security layers every request passes before anything runs, in this
/// order: (TLS, in the server,) IP rules, API key, signature, country rules,
/// rate limit. Each check is in memory (keys, nonces and buckets are owned by
/// the `security_service`); the first refusal ends the walk and names its
/// rule. `/health` and `/ready` need no key; everything under `/v3` and
/// `/api` does (unless the manifest turns keys off). Thread-safe.
class gateway {
public:
  gateway(gateway_options options, security_service& service);

  /// Runs the layers for `request` (its body complete) bound for `kind`.
  [[nodiscard]] admission admit(const http_request& request, route kind);

  /// Takes `n` more tokens for a request already admitted (a batch counts
  /// each task); a refusal when the bucket cannot give them.
  [[nodiscard]] std::optional<error> take_more(admission& adm, std::int64_t n);

  /// Adds the RateLimit-Policy / RateLimit (and on 429 Retry-After) headers,
  /// and appends the audit record of the answered request.
  void finish(const admission& adm, http_response& response);

  /// The options the gateway started with, but `tiers` (empty: see tiers()).
  [[nodiscard]] const gateway_options& options() const noexcept { return options_; }

  /// Replaces the rate-limit tiers (`config reload`): requests admitted from
  /// now on use them; requests already admitted keep theirs. Buckets keep
  /// their tokens and refill at the new rate. Thread-safe.
  void reload_tiers(std::vector<security::rate_tier> tiers);

  /// The tiers in force.
  [[nodiscard]] std::shared_ptr<const std::vector<security::rate_tier>> tiers() const;

private:
  void refuse(admission& adm, error err, std::string rule) const;

  gateway_options options_;
  security_service& service_;
  std::atomic<std::shared_ptr<const std::vector<security::rate_tier>>> tiers_;
};

/// Parses the manifest's security lists into gateway options (CIDRs,
/// country codes); an error names the list and the bad entry.
struct gateway_rule_texts {
  std::vector<std::string> trusted_proxies, ip_allow, ip_deny, country_allow, country_deny;
};
[[nodiscard]] result<bool> parse_gateway_rules(const gateway_rule_texts& texts,
                                               gateway_options& out);

} // namespace nzl::net
