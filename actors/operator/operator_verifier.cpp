// The node's check of an operator's proof (docs/shell.md "Identity").
// Parsing the certificate and checking its chain cost more than the
// command's signature (about 100-200 us with OpenSSL 3), so a certificate
// that passed is cached for a while by the SHA-256 of its text as sent
// (the shell sends the same bytes each time): each command then costs one
// hash, a date check and one signature check. The nonce is remembered last, after the signature
// verified, so a forged command cannot use up the window.
#include "actors/operator/operator_verifier.hpp"

#include "actors/operator/internal/openssl_util.hpp"
#include "security/nonce_window.hpp"

#include <deque>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <optional>
#include <unordered_map>

namespace nzl::actors::operator_shell {

namespace {

using internal::pkey_ptr;
using internal::x509_ptr;

struct store_free {
  void operator()(X509_STORE* p) const noexcept { X509_STORE_free(p); }
};
struct store_ctx_free {
  void operator()(X509_STORE_CTX* p) const noexcept { X509_STORE_CTX_free(p); }
};
struct md_ctx_free {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
struct stack_free {
  void operator()(STACK_OF(X509) * p) const noexcept { sk_X509_free(p); }
};

struct cached_certificate {
  x509_ptr cert;
  pkey_ptr key;
  std::string subject;
  std::string fingerprint;     // SHA-256 of the DER, hex
  std::int64_t checked_ms = 0; // when its chain was checked
};

error refused(std::string why) {
  return fail(errc::unauthenticated, std::move(why));
}

} // namespace

struct operator_verifier::impl {
  verifier_options options;
  clock now;
  std::unique_ptr<X509_STORE, store_free> store;
  security::nonce_window nonces;
  // By the SHA-256 of the certificate text as the shell sends it.
  std::unordered_map<std::string, cached_certificate> cache;
  std::deque<std::string> cache_order; // oldest first

  impl(verifier_options o, clock c, const security::nonce_hash_key& key)
      : options(std::move(o)), now(std::move(c)), nonces(options.max_nonces, key) {}

  // Checks the chain, validity and usages of `certs` (leaf first) at
  // `now_ms`; the leaf's subject and key.
  result<cached_certificate> check_chain(std::vector<x509_ptr>& certs, std::int64_t now_ms) {
    std::unique_ptr<STACK_OF(X509), stack_free> untrusted{sk_X509_new_null()};
    if (!untrusted)
      return fail(errc::internal, "out of memory");
    for (std::size_t i = 1; i < certs.size(); ++i)
      if (sk_X509_push(untrusted.get(), certs[i].get()) == 0)
        return fail(errc::internal, "out of memory");
    std::unique_ptr<X509_STORE_CTX, store_ctx_free> ctx{X509_STORE_CTX_new()};
    X509* leaf = certs.front().get();
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf, untrusted.get()) != 1)
      return fail(errc::internal, "cannot check a certificate: " + internal::take_openssl_error());
    // The node's (injected) clock decides validity, not the system's.
    X509_STORE_CTX_set_time(ctx.get(), 0, static_cast<time_t>(now_ms / 1000));
    // As the TLS server checks a client: an extended key usage, if any,
    // must allow client authentication.
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT);
    if (X509_verify_cert(ctx.get()) != 1) {
      const int err = X509_STORE_CTX_get_error(ctx.get());
      (void)internal::take_openssl_error();
      const std::string reason = X509_verify_cert_error_string(err);
      if (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID)
        return refused("operator certificate is outside its validity (" + reason + ")");
      if (err == X509_V_ERR_INVALID_PURPOSE)
        return refused("operator certificate is not for client authentication (" + reason + ")");
      return refused("operator certificate not issued by the cluster CA (" + reason + ")");
    }
    if ((X509_get_extension_flags(leaf) & EXFLAG_KUSAGE) != 0 &&
        (X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE) == 0)
      return refused("operator certificate does not allow digital signatures (key usage)");
    EVP_PKEY* key = X509_get0_pubkey(leaf);
    if (key == nullptr || EVP_PKEY_up_ref(key) != 1) {
      (void)internal::take_openssl_error();
      return refused("operator certificate has no usable public key");
    }
    cached_certificate c;
    c.key = pkey_ptr{key};
    c.subject = internal::rfc2253_subject(leaf);
    c.fingerprint = internal::sha256_fingerprint(leaf);
    if (c.fingerprint.empty())
      return fail(errc::internal, "cannot hash a certificate: " + internal::take_openssl_error());
    c.checked_ms = now_ms;
    c.cert = std::move(certs.front());
    return c;
  }

  // Caches `c` (max_cached_certificates >= 1), dropping the oldest first.
  const cached_certificate& remember(std::string key, cached_certificate c) {
    while (cache.size() >= options.max_cached_certificates && !cache_order.empty()) {
      cache.erase(cache_order.front());
      cache_order.pop_front();
    }
    cache_order.push_back(key);
    return cache.insert_or_assign(std::move(key), std::move(c)).first->second;
  }

  void forget(const std::string& key) {
    cache.erase(key);
    std::erase(cache_order, key);
  }
};

operator_verifier::operator_verifier(std::unique_ptr<impl> d) : impl_(std::move(d)) {}

operator_verifier::~operator_verifier() = default;

result<std::unique_ptr<operator_verifier>> operator_verifier::create(verifier_options options,
                                                                     clock now) {
  auto key = security::generate_nonce_hash_key();
  if (!key)
    return fail(errc::internal, "no random bytes for the nonce window");
  std::unique_ptr<X509_STORE, store_free> store{X509_STORE_new()};
  if (!store)
    return fail(errc::internal, "out of memory");
  if (X509_STORE_load_file(store.get(), options.ca_file.c_str()) != 1) {
    (void)internal::take_openssl_error();
    return fail(errc::invalid_field,
                "operator identity: cannot load the cluster CA file '" + options.ca_file + "'");
  }
  if (sk_X509_OBJECT_num(X509_STORE_get0_objects(store.get())) <= 0)
    return fail(errc::invalid_field, "operator identity: no certificate in the cluster CA file '" +
                                         options.ca_file + "'");
  auto d = std::make_unique<impl>(std::move(options), std::move(now), *key);
  d->store = std::move(store);
  return std::unique_ptr<operator_verifier>(new operator_verifier(std::move(d)));
}

result<std::string> operator_verifier::verify(std::string_view target,
                                              std::span<const std::string> words,
                                              const command_proof& proof) {
  auto& d = *impl_;
  if (proof.certificate.empty())
    return refused("this node takes only signed commands (cluster TLS): run the shell with "
                   "--cert and --cert-key of an operator certificate");
  if (proof.certificate.size() > max_certificate_bytes)
    return refused("operator certificate larger than " + std::to_string(max_certificate_bytes) +
                   " bytes");
  if (proof.signature.empty() || proof.signature.size() > max_signature_bytes)
    return refused("signature does not verify (no signature, or over " +
                   std::to_string(max_signature_bytes) + " bytes)");
  if (!well_formed_nonce(proof.nonce))
    return refused("malformed nonce (want " + std::to_string(nonce_hex_digits) +
                   " lowercase hex digits)");

  const std::int64_t now_ms = d.now();
  const std::int64_t window_ms = d.options.window.count();
  const std::int64_t skew_ms = now_ms - proof.timestamp_ms;
  if (skew_ms > window_ms || skew_ms < -window_ms)
    return refused("stale timestamp: the command is " + std::to_string(skew_ms / 1000) +
                   " s from the node's clock (allowed: within " + std::to_string(window_ms / 1000) +
                   " s; check both clocks)");

  // The cache is keyed by a hash of the certificate text as sent (the
  // shell sends the same bytes with every command), so a hit parses nothing.
  const std::string text_hash = internal::sha256_hex(proof.certificate);
  if (text_hash.empty())
    return fail(errc::internal, "cannot hash a certificate: " + internal::take_openssl_error());
  auto it = d.cache.find(text_hash);
  if (it != d.cache.end()) {
    // Its chain was checked; its dates and the cache's age still are.
    time_t t = static_cast<time_t>(now_ms / 1000);
    X509* c = it->second.cert.get();
    if (now_ms - it->second.checked_ms > d.options.cache_ttl.count() ||
        X509_cmp_time(X509_get0_notAfter(c), &t) <= 0 ||
        X509_cmp_time(X509_get0_notBefore(c), &t) >= 0) {
      d.forget(text_hash);
      it = d.cache.end();
    }
  }
  std::optional<cached_certificate> uncached; // with a cache of size 0
  const cached_certificate* found = it != d.cache.end() ? &it->second : nullptr;
  if (found == nullptr) {
    auto certs = internal::read_certificates(proof.certificate, max_chain_certificates);
    if (certs.empty())
      return refused("operator certificate is not one to " +
                     std::to_string(max_chain_certificates) + " PEM certificates");
    auto checked = d.check_chain(certs, now_ms);
    if (!checked)
      return std::move(checked).err();
    if (d.options.max_cached_certificates == 0) {
      uncached = std::move(*checked);
      found = &*uncached;
    } else {
      found = &d.remember(text_hash, std::move(*checked));
    }
  }
  const cached_certificate& cert = *found;

  const auto message = canonical_command(target, proof.timestamp_ms, proof.nonce, words);
  std::unique_ptr<EVP_MD_CTX, md_ctx_free> ctx{EVP_MD_CTX_new()};
  EVP_PKEY* key = cert.key.get();
  if (!ctx ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, internal::digest_for(key), nullptr, key) != 1) {
    (void)internal::take_openssl_error();
    return refused("signature does not verify (the certificate's key type cannot sign)");
  }
  if (EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(proof.signature.data()),
                       proof.signature.size(),
                       reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) != 1) {
    (void)internal::take_openssl_error();
    return refused("signature does not verify");
  }

  // Remembered until the timestamp leaves the window (rounded up to the
  // second the window counts in).
  const std::int64_t expires_s = (proof.timestamp_ms + window_ms + 999) / 1000;
  switch (d.nonces.remember(cert.fingerprint, proof.nonce, expires_s, now_ms / 1000)) {
  case security::nonce_window::outcome::fresh:
    break;
  case security::nonce_window::outcome::replay:
    return refused("replayed command: its nonce was already used within the last " +
                   std::to_string(2 * window_ms / 1000) + " s");
  case security::nonce_window::outcome::full:
    return fail(errc::overloaded, "too many signed commands within " +
                                      std::to_string(2 * window_ms / 1000) + " s (" +
                                      std::to_string(d.options.max_nonces) + "); retry later");
  }
  // A certificate may name its holder only in its alternative names, or by
  // a subject too long for an audit key: the fingerprint then identifies it
  // (never a truncated subject, which two certificates could share).
  if (cert.subject.empty() || cert.subject.size() > max_identity_bytes)
    return "SHA256:" + cert.fingerprint;
  return cert.subject;
}

std::string operator_verifier::claimed_subject(std::string_view pem) {
  if (pem.size() > max_certificate_bytes)
    return {};
  auto certs = internal::read_certificates(pem, max_chain_certificates);
  auto subject = certs.empty() ? std::string{} : internal::rfc2253_subject(certs.front().get());
  if (subject.size() > max_identity_bytes)
    subject.resize(max_identity_bytes);
  return subject;
}

std::size_t operator_verifier::cached_certificates() const noexcept {
  return impl_->cache.size();
}

std::size_t operator_verifier::remembered_nonces() const noexcept {
  return impl_->nonces.size();
}

} // namespace nzl::actors::operator_shell
