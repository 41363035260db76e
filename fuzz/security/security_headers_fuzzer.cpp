// Feeds newline-separated fields of the input to every parser of bytes that
// reach the security layers from a request: Authorization, X-API-Key,
// X-Timestamp, X-Nonce, X-Signature, the peer address, X-Forwarded-For, a CIDR
// text and CF-IPCountry. The last field also goes to the JSON loaders of
// stored key records and rate-limit snapshots.
#include "security/api_key.hpp"
#include "security/cidr.hpp"
#include "security/geo.hpp"
#include "security/key_record.hpp"
#include "security/rate_limiter.hpp"
#include "security/signing.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace nzl::security;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::array<std::string_view, 9> field{};
  for (auto& f : field) {
    auto end = input.find('\n');
    f = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
  }
  auto [authorization, x_api_key, timestamp, nonce, signature, peer_text, xff, cidr_text, country] =
      field;

  auto credential = parse_credentials(authorization, x_api_key);
  if (credential && !credential->empty())
    (void)hash_key(*credential);

  signature_headers headers{timestamp, nonce, signature};
  (void)check_signature_headers(headers, 1'700'000'000, default_signature_window_s);
  (void)verify_request("secret", headers, "POST", cidr_text, xff, 1'700'000'000);

  auto rule = cidr::parse(cidr_text);
  auto peer = ip_address::parse(peer_text);
  if (peer) {
    std::vector<cidr> trusted;
    if (rule)
      trusted.push_back(*rule);
    auto client = client_address(*peer, xff, trusted);
    (void)client.address.to_string();
    ip_rules rules{trusted, {}};
    (void)rules.decide(client.address);
    (void)resolve_country(nullptr, client.address, !trusted.empty(), country);
  }
  if (rule)
    (void)rule->to_string();
  (void)valid_country_code(country);
  (void)normalize_country_code(country);

  auto json = nlohmann::json::parse(input, nullptr, false);
  if (!json.is_discarded()) {
    (void)key_record::from_storage_json(json);
    rate_limiter limiter(8);
    (void)limiter.restore(json);
  }
  return 0;
}
