#pragma once

// OpenSSL pieces shared by the operator's signer and verifier: owning
// pointers, PEM reading with bounds, the digest each key type signs with.
// Private to actors/operator.
#include <memory>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::actors::operator_shell::internal {

struct x509_free {
  void operator()(X509* p) const noexcept { X509_free(p); }
};
struct pkey_free {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
using x509_ptr = std::unique_ptr<X509, x509_free>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;

/// The certificates of a PEM text, in order; empty if there is none, if any
/// block does not parse, or if there are more than `max`.
[[nodiscard]] std::vector<x509_ptr> read_certificates(std::string_view pem, std::size_t max);

/// The PEM text of a certificate; "" on failure.
[[nodiscard]] std::string to_pem(X509* cert);

/// The unencrypted private key of a PEM text; null otherwise (an encrypted
/// key is refused, never prompted for).
[[nodiscard]] pkey_ptr read_private_key(std::string_view pem);

/// The digest EVP_DigestSign/Verify use with `key`: SHA-256, or null for
/// Ed25519 and Ed448 (they hash the message themselves).
[[nodiscard]] const EVP_MD* digest_for(EVP_PKEY* key) noexcept;

/// The subject in one-line RFC 2253 form ("CN=alice,O=ops"); "" if none.
[[nodiscard]] std::string rfc2253_subject(X509* cert);

/// SHA-256 of the certificate's DER, 64 lowercase hex digits; "" on failure.
[[nodiscard]] std::string sha256_fingerprint(X509* cert);

/// SHA-256 of `bytes`, 64 lowercase hex digits; "" on failure.
[[nodiscard]] std::string sha256_hex(std::string_view bytes);

/// Lowercase hex of bytes.
[[nodiscard]] std::string hex(const unsigned char* data, std::size_t size);

/// The text of OpenSSL's oldest queued error, and clears the queue.
[[nodiscard]] std::string take_openssl_error();

/// Reads a whole file of at most `max` bytes into `out`; false (and
/// `error` says why) when it cannot be read or is larger.
[[nodiscard]] bool read_small_file(const std::string& path, std::size_t max, std::string& out,
                                   std::string& error);

} // namespace nzl::actors::operator_shell::internal
