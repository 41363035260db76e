#include "actors/operator/internal/openssl_util.hpp"

#include <fstream>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

namespace nzl::actors::operator_shell::internal {

namespace {

struct bio_free {
  void operator()(BIO* p) const noexcept { BIO_free(p); }
};
using bio_ptr = std::unique_ptr<BIO, bio_free>;

bio_ptr memory_bio(std::string_view text) {
  return bio_ptr{BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))};
}

// Refuses to ask for a passphrase (the default callback would prompt on the
// terminal).
int no_passphrase(char*, int, int, void*) {
  return -1;
}

} // namespace

std::vector<x509_ptr> read_certificates(std::string_view pem, std::size_t max) {
  std::vector<x509_ptr> certs;
  if (pem.size() > static_cast<std::size_t>(INT32_MAX))
    return certs;
  auto bio = memory_bio(pem);
  if (!bio)
    return certs;
  while (true) {
    x509_ptr cert{PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr)};
    if (!cert)
      break;
    if (certs.size() == max) {
      certs.clear();
      break;
    }
    certs.push_back(std::move(cert));
  }
  // The loop ends on "no start line" at the end of the text; anything else
  // is a block that did not parse.
  const unsigned long err = ERR_peek_last_error();
  if (err != 0 && !(ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE))
    certs.clear();
  ERR_clear_error();
  return certs;
}

std::string to_pem(X509* cert) {
  auto bio = bio_ptr{BIO_new(BIO_s_mem())};
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1)
    return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string{};
}

pkey_ptr read_private_key(std::string_view pem) {
  if (pem.size() > static_cast<std::size_t>(INT32_MAX))
    return {};
  auto bio = memory_bio(pem);
  if (!bio)
    return {};
  pkey_ptr key{PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr)};
  ERR_clear_error();
  return key;
}

const EVP_MD* digest_for(EVP_PKEY* key) noexcept {
  const int id = EVP_PKEY_get_id(key);
  if (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448)
    return nullptr;
  return EVP_sha256();
}

std::string rfc2253_subject(X509* cert) {
  const X509_NAME* name = cert != nullptr ? X509_get_subject_name(cert) : nullptr;
  if (name == nullptr)
    return {};
  auto bio = bio_ptr{BIO_new(BIO_s_mem())};
  if (!bio)
    return {};
  // RFC 2253 order (most specific first), UTF-8 kept as is.
  if (X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0)
    return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string{};
}

std::string sha256_fingerprint(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (X509_digest(cert, EVP_sha256(), md, &n) != 1)
    return {};
  return hex(md, n);
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_sha256(), nullptr) != 1)
    return {};
  return hex(md, n);
}

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(digits[data[i] >> 4]);
    out.push_back(digits[data[i] & 0xf]);
  }
  return out;
}

std::string take_openssl_error() {
  const unsigned long err = ERR_get_error();
  ERR_clear_error();
  if (err == 0)
    return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(err, buf, sizeof buf);
  return buf;
}

bool read_small_file(const std::string& path, std::size_t max, std::string& out,
                     std::string& error) {
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    error = "cannot open '" + path + "'";
    return false;
  }
  out.assign(max + 1, '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  const auto got = static_cast<std::size_t>(in.gcount());
  if (got > max) {
    error = "'" + path + "' is larger than " + std::to_string(max) + " bytes";
    return false;
  }
  if (in.bad()) {
    error = "cannot read '" + path + "'";
    return false;
  }
  out.resize(got);
  return true;
}

} // namespace nzl::actors::operator_shell::internal
