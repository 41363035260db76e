#include "apps/cloudagent/request_signing.hpp"

#include "security/signing.hpp"

#include <array>
#include <cstdlib>
#include <openssl/rand.h>

namespace nzl::cli {

std::string make_nonce() {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::array<unsigned char, 24> bytes{};
  // Without randomness a nonce could repeat; the CLI cannot sign safely.
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    std::abort();
  std::string out;
  for (unsigned char b : bytes)
    out += alphabet[b & 63]; // 256 is a multiple of 64: no bias
  return out;
}

std::vector<std::pair<std::string, std::string>>
signature_headers(std::string_view secret, std::string_view method, std::string_view target,
                  std::string_view body, std::int64_t timestamp, std::string_view nonce) {
  auto ts = std::to_string(timestamp);
  auto canonical = security::canonical_string(ts, nonce, method, target, body);
  return {{"X-Timestamp", ts},
          {"X-Nonce", std::string{nonce}},
          {"X-Signature", security::sign(secret, canonical)}};
}

} // namespace nzl::cli
