// Empties OpenSSL's per-thread error queue before every TLS I/O call of the
// process, as OpenSSL requires ("the current thread's error queue must be
// empty before the TLS/SSL I/O operation is attempted, or SSL_get_error()
// will not work reliably", SSL_get_error(3)).
//
// Why this exists: caf::openssl 0.17.6 (session.cpp, handle_ssl_result)
// never drains the queue when a session fails. All cluster sessions share
// the middleman's one multiplexer thread, so when a node of a foreign CA is
// refused, its "certificate verify failed" stays queued, and the next
// SSL_read of a healthy peer's session that merely would block is reported
// as SSL_ERROR_SSL: CAF closes that session and the cluster link drops
// (tests/integration/cluster_tls_test.cpp, IntrudersHandshakesDoNotBreak-
// TheClusterLink). CAF cannot be patched here (Debian's package), so the
// executable interposes the four calls CAF makes and forwards to libssl's
// own definitions. Linked as an object library into the node only; asio
// (the HTTPS server) already clears the queue itself, so for it this is a
// harmless repeat.

#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace {

template <class Fn> Fn libssl_symbol(const char* name) {
  auto* sym = dlsym(RTLD_NEXT, name);
  if (sym == nullptr) {
    // Without the real call no TLS can work; failing loudly beats a silent
    // recursion into this file.
    std::fprintf(stderr, "noizylab: cannot find OpenSSL's %s: %s\n", name, dlerror());
    std::abort();
  }
  return reinterpret_cast<Fn>(sym);
}

} // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static const auto real = libssl_symbol<int (*)(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  return real(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static const auto real = libssl_symbol<int (*)(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return real(ssl, buf, num);
}

int SSL_connect(SSL* ssl) {
  static const auto real = libssl_symbol<int (*)(SSL*)>("SSL_connect");
  ERR_clear_error();
  return real(ssl);
}

int SSL_accept(SSL* ssl) {
  static const auto real = libssl_symbol<int (*)(SSL*)>("SSL_accept");
  ERR_clear_error();
  return real(ssl);
}

} // extern "C"
