#pragma once

// Keys and certificates made in memory with OpenSSL's APIs for the operator
// identity tests: nothing is committed, nothing shells out.
#include <cstdint>
#include <memory>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <string>

namespace nzl::test::pki {

struct key_free {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct cert_free {
  void operator()(X509* p) const noexcept { X509_free(p); }
};
using key_ptr = std::unique_ptr<EVP_PKEY, key_free>;
using cert_ptr = std::unique_ptr<X509, cert_free>;

enum class key_kind { rsa, ec, ed25519 };

/// A fresh key (RSA 2048, EC P-256, Ed25519).
[[nodiscard]] key_ptr make_key(key_kind kind);

/// What goes into a certificate; times are unix seconds.
struct cert_spec {
  std::string subject = "CN=alice,O=ops"; ///< "K=V,K=V", most specific first as printed
  std::int64_t not_before = 0;
  std::int64_t not_after = 0;
  bool ca = false;
  std::string key_usage;          ///< e.g. "critical,digitalSignature"; empty: none
  std::string extended_key_usage; ///< e.g. "clientAuth"; empty: none
};

/// A certificate of `subject_key` issued by `issuer` with `issuer_key`
/// (self-signed when `issuer` is null).
[[nodiscard]] cert_ptr make_cert(const cert_spec& spec, EVP_PKEY* subject_key, X509* issuer,
                                 EVP_PKEY* issuer_key);

[[nodiscard]] std::string pem(X509* cert);
[[nodiscard]] std::string pem(EVP_PKEY* private_key);

} // namespace nzl::test::pki
