#include "apps/cloudagent/request_signing.hpp"

#include <array>
#include <cstdlib>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace nzl::cli {

namespace {

std::string to_hex(const unsigned char* data, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

} // namespace

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return to_hex(digest.data(), digest.size());
}

std::string canonical_string(std::int64_t timestamp, std::string_view nonce,
                             std::string_view method, std::string_view target,
                             std::string_view body) {
  std::string out = std::to_string(timestamp);
  out += '\n';
  out += nonce;
  out += '\n';
  out += method;
  out += '\n';
  out += target;
  out += '\n';
  out += sha256_hex(body);
  return out;
}

std::string sign(std::string_view secret, std::string_view canonical) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size(), mac.data(),
           &len) == nullptr)
    return {};
  return "v1=" + to_hex(mac.data(), len);
}

std::string make_nonce() {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::array<unsigned char, 24> bytes{};
  // Without randomness a nonce would repeat; the CLI cannot sign safely.
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
  auto canonical = canonical_string(timestamp, nonce, method, target, body);
  return {{"X-Timestamp", std::to_string(timestamp)},
          {"X-Nonce", std::string{nonce}},
          {"X-Signature", sign(secret, canonical)}};
}

} // namespace nzl::cli
