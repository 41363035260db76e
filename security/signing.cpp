#include "security/signing.hpp"

#include "security/internal/digest.hpp"
#include "security/internal/encoding.hpp"

#include <array>
#include <cstring>

namespace nzl::security {

namespace {

constexpr std::string_view signature_scheme = "v1=";
constexpr std::size_t max_timestamp_digits = 12;

// Character classes as tables, checked without a branch per character: in
// a signature's 64 random hex digits, "digit or letter?" is a coin toss the
// branch predictor loses half the time (~15 cycles each).
constexpr unsigned char url_safe_class = 1;
constexpr unsigned char lower_hex_class = 2;
constexpr auto char_classes = [] {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
        c == '-')
      t[static_cast<std::size_t>(c)] |= url_safe_class;
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
      t[static_cast<std::size_t>(c)] |= lower_hex_class;
  }
  return t;
}();

bool all_of_class(std::string_view s, unsigned char cls) noexcept {
  unsigned char ok = cls;
  for (char c : s)
    ok &= char_classes[static_cast<unsigned char>(c)];
  return ok == cls;
}

bool lower_hex(std::string_view s) noexcept {
  return all_of_class(s, lower_hex_class);
}

} // namespace

std::string_view to_string(signature_status status) noexcept {
  switch (status) {
  case signature_status::ok:
    return "ok";
  case signature_status::missing_headers:
    return "signature_missing";
  case signature_status::bad_timestamp:
    return "bad_timestamp";
  case signature_status::timestamp_outside:
    return "timestamp_outside_window";
  case signature_status::bad_nonce:
    return "bad_nonce";
  case signature_status::bad_signature_format:
    return "bad_signature_format";
  case signature_status::wrong_signature:
    return "wrong_signature";
  case signature_status::no_signing_secret:
    return "no_signing_secret";
  }
  return "unknown";
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[internal::sha256_size];
  if (!internal::sha256(data, digest))
    return {};
  return internal::to_hex(digest, sizeof digest);
}

std::string canonical_string_hashed(std::string_view timestamp, std::string_view nonce,
                                    std::string_view method, std::string_view target,
                                    std::string_view body_sha256_hex) {
  std::string out;
  out.reserve(timestamp.size() + nonce.size() + method.size() + target.size() +
              body_sha256_hex.size() + 4);
  out.append(timestamp).push_back('\n');
  out.append(nonce).push_back('\n');
  for (char c : method)
    out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  out.push_back('\n');
  out.append(target).push_back('\n');
  out.append(body_sha256_hex);
  return out;
}

std::string canonical_string(std::string_view timestamp, std::string_view nonce,
                             std::string_view method, std::string_view target,
                             std::string_view body) {
  return canonical_string_hashed(timestamp, nonce, method, target, sha256_hex(body));
}

std::string sign(std::string_view secret, std::string_view canonical) {
  unsigned char mac[internal::sha256_size];
  if (!internal::hmac_sha256(secret, canonical, mac))
    return {};
  return std::string(signature_scheme) + internal::to_hex(mac, sizeof mac);
}

std::optional<std::int64_t> parse_timestamp(std::string_view text) noexcept {
  if (text.empty() || text.size() > max_timestamp_digits)
    return std::nullopt;
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

bool valid_nonce(std::string_view nonce) noexcept {
  if (nonce.size() < min_nonce_length || nonce.size() > max_nonce_length)
    return false;
  return all_of_class(nonce, url_safe_class);
}

signature_status check_signature_headers(const signature_headers& headers, std::int64_t now_s,
                                         std::int64_t window_s) noexcept {
  if (headers.timestamp.empty() || headers.nonce.empty() || headers.signature.empty())
    return signature_status::missing_headers;
  auto timestamp = parse_timestamp(headers.timestamp);
  if (!timestamp)
    return signature_status::bad_timestamp;
  std::int64_t distance = *timestamp > now_s ? *timestamp - now_s : now_s - *timestamp;
  if (distance > window_s)
    return signature_status::timestamp_outside;
  if (!valid_nonce(headers.nonce))
    return signature_status::bad_nonce;
  std::string_view sig = headers.signature;
  if (sig.size() != signature_scheme.size() + 64 || !sig.starts_with(signature_scheme) ||
      !lower_hex(sig.substr(signature_scheme.size())))
    return signature_status::bad_signature_format;
  return signature_status::ok;
}

signature_status verify_request(std::string_view secret, const signature_headers& headers,
                                std::string_view method, std::string_view target,
                                std::string_view body, std::int64_t now_s, std::int64_t window_s) {
  auto status = check_signature_headers(headers, now_s, window_s);
  if (status != signature_status::ok)
    return status;
  // A key without a secret (a bootstrap key given none) cannot sign: an HMAC
  // under an empty key proves only that the caller holds the key itself.
  if (secret.empty())
    return signature_status::no_signing_secret;
  // canonical_string(), assembled on the stack when it fits (it does unless
  // the target is long): no allocation for the body's hex or the string.
  unsigned char body_digest[internal::sha256_size];
  if (!internal::sha256(body, body_digest))
    return signature_status::wrong_signature;
  char body_hex[2 * internal::sha256_size];
  internal::hex_into(body_digest, sizeof body_digest, body_hex);
  const std::size_t size = headers.timestamp.size() + headers.nonce.size() + method.size() +
                           target.size() + sizeof body_hex + 4;
  std::array<char, 512> stack;
  std::string heap;
  char* out = stack.data();
  if (size > stack.size()) {
    heap.resize(size);
    out = heap.data();
  }
  const char* const begin = out;
  auto put = [&out](std::string_view part, char end) {
    if (!part.empty()) // an empty view may have no data() for memcpy
      std::memcpy(out, part.data(), part.size());
    out += part.size();
    if (end != '\0')
      *out++ = end;
  };
  put(headers.timestamp, '\n');
  put(headers.nonce, '\n');
  for (char c : method)
    *out++ = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  *out++ = '\n';
  put(target, '\n');
  put(std::string_view{body_hex, sizeof body_hex}, '\0');
  unsigned char mac[internal::sha256_size];
  if (!internal::hmac_sha256(secret, std::string_view{begin, size}, mac))
    return signature_status::wrong_signature;
  char expected[2 * internal::sha256_size];
  internal::hex_into(mac, sizeof mac, expected);
  if (!internal::constant_time_equal(std::string_view{expected, sizeof expected},
                                     headers.signature.substr(signature_scheme.size())))
    return signature_status::wrong_signature;
  return signature_status::ok;
}

} // namespace nzl::security
