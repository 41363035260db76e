#include "security/internal/digest.hpp"

#include <cstring>
#include <memory>
#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace nzl::security::internal {

namespace {

struct md_ctx_deleter {
  void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};
struct md_deleter {
  void operator()(EVP_MD* md) const noexcept { EVP_MD_free(md); }
};

// Fetched once (thread-safe static initialisation), freed at exit.
const EVP_MD* sha256_md() noexcept {
  static const std::unique_ptr<EVP_MD, md_deleter> md{EVP_MD_fetch(nullptr, "SHA256", nullptr)};
  return md.get();
}

EVP_MD_CTX* thread_md_ctx() noexcept {
  thread_local const std::unique_ptr<EVP_MD_CTX, md_ctx_deleter> ctx{EVP_MD_CTX_new()};
  return ctx.get();
}

} // namespace

bool sha256(std::string_view data, unsigned char (&out)[sha256_size]) noexcept {
  auto* md = sha256_md();
  auto* ctx = thread_md_ctx();
  unsigned int size = 0;
  return md && ctx && EVP_DigestInit_ex2(ctx, md, nullptr) == 1 &&
         EVP_DigestUpdate(ctx, data.data(), data.size()) == 1 &&
         EVP_DigestFinal_ex(ctx, out, &size) == 1 && size == sha256_size;
}

bool hmac_sha256(std::string_view key, std::string_view message,
                 unsigned char (&out)[sha256_size]) noexcept {
  // RFC 2104 over the cached SHA-256 context: H((K ^ opad) || H((K ^ ipad) ||
  // message)). OpenSSL's EVP_MAC re-derives its three digest contexts on
  // every key change, which costs more than the two hashes here.
  constexpr std::size_t block_size = 64;
  unsigned char block[block_size] = {};
  if (key.size() > block_size) {
    unsigned char hashed[sha256_size];
    if (!sha256(key, hashed))
      return false;
    std::memcpy(block, hashed, sizeof hashed);
    OPENSSL_cleanse(hashed, sizeof hashed);
  } else if (!key.empty()) {
    std::memcpy(block, key.data(), key.size());
  }
  unsigned char pad[block_size];
  for (std::size_t i = 0; i < block_size; ++i)
    pad[i] = block[i] ^ 0x36;
  auto* md = sha256_md();
  auto* ctx = thread_md_ctx();
  unsigned char inner[sha256_size];
  unsigned int size = 0;
  bool ok = md && ctx && EVP_DigestInit_ex2(ctx, md, nullptr) == 1 &&
            EVP_DigestUpdate(ctx, pad, sizeof pad) == 1 &&
            EVP_DigestUpdate(ctx, message.data(), message.size()) == 1 &&
            EVP_DigestFinal_ex(ctx, inner, &size) == 1 && size == sha256_size;
  if (ok) {
    for (std::size_t i = 0; i < block_size; ++i)
      pad[i] = block[i] ^ 0x5c;
    ok = EVP_DigestInit_ex2(ctx, md, nullptr) == 1 && EVP_DigestUpdate(ctx, pad, sizeof pad) == 1 &&
         EVP_DigestUpdate(ctx, inner, sizeof inner) == 1 &&
         EVP_DigestFinal_ex(ctx, out, &size) == 1 && size == sha256_size;
  }
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(pad, sizeof pad);
  return ok;
}

} // namespace nzl::security::internal
