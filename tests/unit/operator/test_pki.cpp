#include "tests/unit/operator/test_pki.hpp"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdexcept>
#include <vector>

namespace nzl::test::pki {

namespace {

struct bio_free {
  void operator()(BIO* p) const noexcept { BIO_free(p); }
};

std::string drain(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// "CN=alice,O=ops" -> entries added last to first, so that the RFC 2253
// rendering (most specific first) gives the text back.
void set_name(X509_NAME* name, const std::string& text) {
  std::vector<std::pair<std::string, std::string>> parts;
  std::size_t start = 0;
  while (start < text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string::npos)
      comma = text.size();
    auto part = text.substr(start, comma - start);
    auto eq = part.find('=');
    parts.emplace_back(part.substr(0, eq), part.substr(eq + 1));
    start = comma + 1;
  }
  for (auto it = parts.rbegin(); it != parts.rend(); ++it)
    X509_NAME_add_entry_by_txt(name, it->first.c_str(), MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(it->second.c_str()), -1, -1,
                               0);
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr)
    throw std::runtime_error("bad extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

} // namespace

key_ptr make_key(key_kind kind) {
  switch (kind) {
  case key_kind::rsa:
    return key_ptr{EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(2048))};
  case key_kind::ec:
    return key_ptr{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
  case key_kind::ed25519:
    return key_ptr{EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")};
  }
  return {};
}

cert_ptr make_cert(const cert_spec& spec, EVP_PKEY* subject_key, X509* issuer,
                   EVP_PKEY* issuer_key) {
  static long serial = 1;
  cert_ptr cert{X509_new()};
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  set_name(X509_get_subject_name(cert.get()), spec.subject);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer)
                                                     : X509_get_subject_name(cert.get()));
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(spec.not_before));
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(spec.not_after));
  X509_set_pubkey(cert.get(), subject_key);
  X509* parent = issuer != nullptr ? issuer : cert.get();
  if (spec.ca) {
    add_ext(cert.get(), parent, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert.get(), parent, NID_key_usage, "critical,keyCertSign,cRLSign");
  }
  add_ext(cert.get(), parent, NID_subject_key_identifier, "hash");
  if (!spec.key_usage.empty())
    add_ext(cert.get(), parent, NID_key_usage, spec.key_usage);
  if (!spec.extended_key_usage.empty())
    add_ext(cert.get(), parent, NID_ext_key_usage, spec.extended_key_usage);
  const int id = EVP_PKEY_get_id(issuer_key);
  const EVP_MD* md = id == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
  if (X509_sign(cert.get(), issuer_key, md) == 0)
    throw std::runtime_error("X509_sign failed");
  return cert;
}

std::string pem(X509* cert) {
  std::unique_ptr<BIO, bio_free> bio{BIO_new(BIO_s_mem())};
  PEM_write_bio_X509(bio.get(), cert);
  return drain(bio.get());
}

std::string pem(EVP_PKEY* private_key) {
  std::unique_ptr<BIO, bio_free> bio{BIO_new(BIO_s_mem())};
  PEM_write_bio_PrivateKey(bio.get(), private_key, nullptr, nullptr, 0, nullptr, nullptr);
  return drain(bio.get());
}

} // namespace nzl::test::pki
