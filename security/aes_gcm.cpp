#include "security/aes_gcm.hpp"

#include "security/internal/encoding.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nzl::security {

namespace {

constexpr std::size_t nonce_size = 12;
constexpr std::size_t tag_size = 16;
constexpr std::size_t max_key_file_size = 256;

struct ctx_deleter {
  void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, ctx_deleter>;

const unsigned char* bytes_of(std::string_view s) noexcept {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string errno_text(int err) {
  return std::strerror(err);
}

// Wipes a std::string's buffer when the scope ends.
struct wipe_on_exit {
  std::string& text;
  ~wipe_on_exit() {
    if (!text.empty())
      OPENSSL_cleanse(text.data(), text.size());
  }
};

} // namespace

std::optional<node_key> node_key::from_bytes(std::string_view bytes) {
  if (bytes.size() != 32)
    return std::nullopt;
  node_key out;
  std::memcpy(out.bytes_.data(), bytes.data(), 32);
  return out;
}

std::optional<node_key> node_key::from_text(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\r' ||
                           text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' || text.back() == '\t'))
    text.remove_suffix(1);
  std::optional<std::string> bytes;
  if (text.size() == 64)
    bytes = internal::from_hex(text);
  if (!bytes && text.size() == 44)
    bytes = internal::base64_decode(text);
  if (!bytes)
    return std::nullopt;
  wipe_on_exit wipe{*bytes};
  return from_bytes(*bytes);
}

node_key::node_key(node_key&& other) noexcept : bytes_(other.bytes_) {
  OPENSSL_cleanse(other.bytes_.data(), other.bytes_.size());
}

node_key& node_key::operator=(node_key&& other) noexcept {
  if (this != &other) {
    bytes_ = other.bytes_;
    OPENSSL_cleanse(other.bytes_.data(), other.bytes_.size());
  }
  return *this;
}

node_key::~node_key() {
  OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

result<std::string> seal(const node_key& key, std::string_view plaintext, std::string_view aad) {
  if (plaintext.size() > max_sealed_plaintext)
    return fail(errc::invalid_field, "the value to encrypt is too large");
  if (aad.size() > max_sealed_plaintext)
    return fail(errc::invalid_field, "the associated data is too large");
  std::string out(nonce_size + plaintext.size() + tag_size, '\0');
  auto* buffer = reinterpret_cast<unsigned char*>(out.data());
  if (!internal::random_bytes(buffer, nonce_size))
    return fail(errc::internal, "the random number generator failed");
  cipher_ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), buffer) != 1 ||
      (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes_of(aad),
                                         static_cast<int>(aad.size())) != 1) ||
      (!plaintext.empty() &&
       EVP_EncryptUpdate(ctx.get(), buffer + nonce_size, &len, bytes_of(plaintext),
                         static_cast<int>(plaintext.size())) != 1) ||
      EVP_EncryptFinal_ex(ctx.get(), buffer + nonce_size + plaintext.size(), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag_size),
                          buffer + nonce_size + plaintext.size()) != 1)
    return fail(errc::internal, "AES-256-GCM encryption failed");
  return out;
}

result<std::string> open(const node_key& key, std::string_view sealed, std::string_view aad) {
  if (sealed.size() < sealed_overhead || sealed.size() > max_sealed_plaintext + sealed_overhead ||
      aad.size() > max_sealed_plaintext)
    return fail(errc::storage_failed, "a sealed value has the wrong size");
  std::size_t text_size = sealed.size() - sealed_overhead;
  const unsigned char* nonce = bytes_of(sealed);
  const unsigned char* ciphertext = nonce + nonce_size;
  // The tag parameter is not const in OpenSSL's API; copy it.
  unsigned char tag[tag_size];
  std::memcpy(tag, ciphertext + text_size, tag_size);
  std::string out(text_size, '\0');
  auto* plain = reinterpret_cast<unsigned char*>(out.data());
  cipher_ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  bool ok =
      ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce) == 1 &&
      (aad.empty() || EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes_of(aad),
                                        static_cast<int>(aad.size())) == 1) &&
      (text_size == 0 ||
       EVP_DecryptUpdate(ctx.get(), plain, &len, ciphertext, static_cast<int>(text_size)) == 1) &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag_size), tag) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), plain + text_size, &len) == 1;
  if (!ok) {
    if (!out.empty())
      OPENSSL_cleanse(out.data(), out.size());
    return fail(errc::storage_failed,
                "a sealed value failed authentication (altered, or another node key)");
  }
  return out;
}

result<node_key> load_node_key(const std::string& path, std::string_view env_var_name) {
  if (!env_var_name.empty()) {
    std::string name(env_var_name);
    if (const char* value = std::getenv(name.c_str()); value && *value) {
      auto key = node_key::from_text(value);
      if (!key)
        return fail(errc::invalid_field,
                    name + " must hold 64 hex characters or base64 of 32 bytes");
      return std::move(*key);
    }
  }
  if (path.empty())
    return fail(errc::invalid_field,
                "no node key: set " + std::string(env_var_name) + " or configure a key file");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return fail(errc::storage_failed,
                "cannot open node key file " + path + ": " + errno_text(errno));
  struct closer {
    int fd;
    ~closer() { ::close(fd); }
  } close_fd{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    return fail(errc::storage_failed,
                "cannot stat node key file " + path + ": " + errno_text(errno));
  if (!S_ISREG(st.st_mode))
    return fail(errc::storage_failed, "node key file " + path + " is not a regular file");
  if ((st.st_mode & 077) != 0)
    return fail(errc::storage_failed,
                "node key file " + path + " is readable by group or others; run chmod 600 " + path);
  if (st.st_size > static_cast<off_t>(max_key_file_size))
    return fail(errc::invalid_field, "node key file " + path + " is too large to be a key");
  std::string text(max_key_file_size, '\0');
  wipe_on_exit wipe{text};
  std::size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return fail(errc::storage_failed,
                  "cannot read node key file " + path + ": " + errno_text(errno));
    if (n == 0)
      break;
    got += static_cast<std::size_t>(n);
  }
  auto key = node_key::from_text(std::string_view(text).substr(0, got));
  if (!key)
    return fail(errc::invalid_field,
                "node key file " + path + " must hold 64 hex characters or base64 of 32 bytes");
  return std::move(*key);
}

result<node_key> create_node_key_file(const std::string& path) {
  unsigned char bytes[32];
  if (!internal::random_bytes(bytes, sizeof bytes))
    return fail(errc::internal, "the random number generator failed");
  std::string text = internal::to_hex(bytes, sizeof bytes) + "\n";
  wipe_on_exit wipe{text};
  auto key =
      node_key::from_bytes(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
  OPENSSL_cleanse(bytes, sizeof bytes);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return fail(errc::storage_failed,
                "cannot create node key file " + path + ": " + errno_text(errno));
  // The umask may have narrowed the mode further, never widened it; make it exact.
  bool ok = ::fchmod(fd, 0600) == 0;
  std::size_t written = 0;
  while (ok && written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    written += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return fail(errc::storage_failed,
                "cannot write node key file " + path + ": " + errno_text(err));
  }
  return std::move(*key);
}

} // namespace nzl::security
