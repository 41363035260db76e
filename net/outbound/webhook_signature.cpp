#include "net/outbound/webhook_signature.hpp"

#include <cstdio>
#include <cstdlib>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <vector>

namespace nzl::net::outbound::webhook {

namespace {

constexpr std::string_view secret_prefix = "whsec_";
constexpr std::size_t generated_key_bytes = 32;

std::string base64(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  auto n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

int base64_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

// Strict base64 (standard alphabet, padded) to bytes; false if malformed.
// EVP_DecodeBlock is too lenient for secrets (it takes "====" as data).
bool unbase64(std::string_view text, std::vector<unsigned char>& out) {
  if (text.empty() || text.size() % 4 != 0)
    return false;
  std::size_t pad = 0;
  while (pad < 2 && text[text.size() - 1 - pad] == '=')
    ++pad;
  out.clear();
  std::uint32_t acc = 0;
  std::size_t data_chars = text.size() - pad;
  for (std::size_t i = 0; i < data_chars; ++i) {
    int v = base64_value(text[i]);
    if (v < 0)
      return false;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    if (i % 4 == 3) {
      out.push_back(static_cast<unsigned char>(acc >> 16));
      out.push_back(static_cast<unsigned char>(acc >> 8));
      out.push_back(static_cast<unsigned char>(acc));
      acc = 0;
    }
  }
  if (pad == 2) {
    out.push_back(static_cast<unsigned char>(acc >> 4));
  } else if (pad == 1) {
    out.push_back(static_cast<unsigned char>(acc >> 10));
    out.push_back(static_cast<unsigned char>(acc >> 2));
  }
  return true;
}

bool key_of(std::string_view secret, std::vector<unsigned char>& key) {
  if (secret.starts_with(secret_prefix))
    secret.remove_prefix(secret_prefix.size());
  return unbase64(secret, key) && !key.empty();
}

std::string signature_of(const std::vector<unsigned char>& key, std::string_view msg_id,
                         std::int64_t timestamp, std::string_view body) {
  std::string message;
  message.reserve(msg_id.size() + body.size() + 24);
  message.append(msg_id).append(".").append(std::to_string(timestamp)).append(".").append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac,
           &mac_size) == nullptr) {
    std::fprintf(stderr, "%s:%d: HMAC-SHA256 failed\n", __FILE__, __LINE__);
    std::abort();
  }
  return "v1," + base64(mac, mac_size);
}

} // namespace

bool valid_secret(std::string_view secret) {
  std::vector<unsigned char> key;
  return key_of(secret, key);
}

std::string sign(std::string_view secret, std::string_view msg_id, std::int64_t timestamp,
                 std::string_view body) {
  std::vector<unsigned char> key;
  if (!key_of(secret, key))
    return {};
  return signature_of(key, msg_id, timestamp, body);
}

bool verify(std::string_view secret, std::string_view msg_id, std::int64_t timestamp,
            std::string_view body, std::string_view signature_header) {
  std::vector<unsigned char> key;
  if (!key_of(secret, key))
    return false;
  auto expected = signature_of(key, msg_id, timestamp, body);
  bool match = false;
  while (!signature_header.empty()) {
    auto space = signature_header.find(' ');
    auto candidate = signature_header.substr(0, space);
    signature_header.remove_prefix(space == std::string_view::npos ? signature_header.size()
                                                                   : space + 1);
    // No early exit: every candidate costs the same.
    if (candidate.size() == expected.size() &&
        CRYPTO_memcmp(candidate.data(), expected.data(), expected.size()) == 0)
      match = true;
  }
  return match;
}

std::string generate_secret() {
  unsigned char key[generated_key_bytes];
  if (RAND_bytes(key, sizeof key) != 1) {
    std::fprintf(stderr, "%s:%d: RAND_bytes failed: no entropy for a webhook secret\n", __FILE__,
                 __LINE__);
    std::abort();
  }
  auto out = std::string{secret_prefix} + base64(key, sizeof key);
  OPENSSL_cleanse(key, sizeof key);
  return out;
}

} // namespace nzl::net::outbound::webhook
