#include "actors/operator/operator_signer.hpp"

#include "actors/operator/internal/openssl_util.hpp"

#include <array>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <vector>

namespace nzl::actors::operator_shell {

namespace {

constexpr std::size_t max_key_bytes = 64 * 1024;

struct md_ctx_free {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};

} // namespace

operator_signer::operator_signer(std::string certificate, std::shared_ptr<EVP_PKEY> key,
                                 std::string subject)
    : certificate_(std::move(certificate)), key_(std::move(key)), subject_(std::move(subject)) {}

result<operator_signer> operator_signer::from_files(const std::string& cert_file,
                                                    const std::string& key_file) {
  std::string cert;
  std::string key;
  std::string why;
  if (!internal::read_small_file(cert_file, max_certificate_bytes, cert, why))
    return fail(errc::invalid_field, "operator certificate: " + why);
  if (!internal::read_small_file(key_file, max_key_bytes, key, why))
    return fail(errc::invalid_field, "operator key: " + why);
  auto signer = from_pem(std::move(cert), key);
  // The key text is no longer needed: do not leave it in freed memory.
  OPENSSL_cleanse(key.data(), key.size());
  return signer;
}

result<operator_signer> operator_signer::from_pem(std::string certificate_pem,
                                                  std::string_view key_pem) {
  if (certificate_pem.size() > max_certificate_bytes)
    return fail(errc::invalid_field, "operator certificate: larger than " +
                                         std::to_string(max_certificate_bytes) + " bytes");
  auto certs = internal::read_certificates(certificate_pem, max_chain_certificates);
  if (certs.empty())
    return fail(errc::invalid_field, "operator certificate: not one to " +
                                         std::to_string(max_chain_certificates) +
                                         " PEM certificates");
  auto key = internal::read_private_key(key_pem);
  if (!key)
    return fail(errc::invalid_field,
                "operator key: not an unencrypted PEM private key (RSA, EC or Ed25519)");
  if (X509_check_private_key(certs.front().get(), key.get()) != 1) {
    (void)internal::take_openssl_error();
    return fail(errc::invalid_field, "operator key: it is not the certificate's key");
  }
  auto subject = internal::rfc2253_subject(certs.front().get());
  // What goes to the node is the certificates written out again, never the
  // file as read: a file that also holds the private key must not send it.
  std::string sent;
  for (const auto& c : certs) {
    auto pem = internal::to_pem(c.get());
    if (pem.empty())
      return fail(errc::internal, "operator certificate: " + internal::take_openssl_error());
    sent += pem;
  }
  OPENSSL_cleanse(certificate_pem.data(), certificate_pem.size());
  return operator_signer{std::move(sent),
                         std::shared_ptr<EVP_PKEY>{key.release(), internal::pkey_free{}},
                         std::move(subject)};
}

result<command_proof> operator_signer::sign(std::string_view target,
                                            std::span<const std::string> words,
                                            std::int64_t now_ms) const {
  std::array<unsigned char, nonce_hex_digits / 2> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1)
    return fail(errc::internal, "no random bytes for the nonce: " + internal::take_openssl_error());
  command_proof p;
  p.certificate = certificate_;
  p.timestamp_ms = now_ms;
  p.nonce = internal::hex(random.data(), random.size());
  const auto message = canonical_command(target, p.timestamp_ms, p.nonce, words);
  std::unique_ptr<EVP_MD_CTX, md_ctx_free> ctx{EVP_MD_CTX_new()};
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, internal::digest_for(key_.get()), nullptr,
                                 key_.get()) != 1)
    return fail(errc::internal, "cannot sign: " + internal::take_openssl_error());
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  std::size_t size = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &size, data, message.size()) != 1)
    return fail(errc::internal, "cannot sign: " + internal::take_openssl_error());
  std::vector<unsigned char> sig(size);
  if (EVP_DigestSign(ctx.get(), sig.data(), &size, data, message.size()) != 1)
    return fail(errc::internal, "cannot sign: " + internal::take_openssl_error());
  p.signature.assign(reinterpret_cast<const char*>(sig.data()), size);
  return p;
}

} // namespace nzl::actors::operator_shell
