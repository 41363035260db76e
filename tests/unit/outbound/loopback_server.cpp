// A small HTTP/1.1 server over plain Asio (not Beast, so that the client is
// checked against a second implementation), one thread, for the client tests.
#include "tests/unit/outbound/loopback_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <cctype>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace nzl::net::outbound::testing {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

void check(bool ok, const char* what) {
  if (!ok)
    throw std::runtime_error(std::string{"test certificate: "} + what + " failed");
}

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string response(const std::string& status, const std::string& body,
                     const std::string& extra = {}) {
  return "HTTP/1.1 " + status + "\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n" + extra + "\r\n" + body;
}

template <class Stream> class session : public std::enable_shared_from_this<session<Stream>> {
public:
  session(Stream stream, std::uint16_t port) : stream_(std::move(stream)), port_(port) {}

  void start() {
    if constexpr (std::is_same_v<Stream, tcp::socket>) {
      read_head();
    } else {
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](error_code ec) {
                                if (!ec)
                                  self->read_head();
                              });
    }
  }

private:
  void read_head() {
    asio::async_read_until(
        stream_, asio::dynamic_buffer(in_), "\r\n\r\n",
        [self = this->shared_from_this()](error_code ec, std::size_t n) { self->on_head(ec, n); });
  }

  void on_head(error_code ec, std::size_t head_size) {
    if (ec)
      return;
    auto head = lower(in_.substr(0, head_size));
    std::size_t length = 0;
    if (auto at = head.find("\r\ncontent-length:"); at != std::string::npos)
      length = std::strtoul(head.c_str() + at + 17, nullptr, 10);
    request_size_ = head_size + length;
    if (in_.size() >= request_size_)
      return respond();
    asio::async_read(stream_, asio::dynamic_buffer(in_),
                     asio::transfer_exactly(request_size_ - in_.size()),
                     [self = this->shared_from_this()](error_code ec, std::size_t) {
                       if (!ec)
                         self->respond();
                     });
  }

  void respond() {
    auto request = in_.substr(0, request_size_);
    auto first_space = request.find(' ');
    auto path =
        request.substr(first_space + 1, request.find(' ', first_space + 1) - first_space - 1);
    path = path.substr(0, path.find('?'));
    if (path == "/ok")
      return send(response("200 OK", "hello", "X-Test: yes\r\n"));
    if (path == "/echo")
      return send(response("200 OK", request));
    if (path == "/status/500")
      return send(response("500 Internal Server Error", "boom"));
    if (path == "/huge")
      return send(response("200 OK", std::string(1024 * 1024, 'x')));
    if (path == "/chunked")
      return send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                  "a\r\nchunk-one,\r\na\r\nchunk-two,\r\nb\r\nchunk-three\r\n0\r\n\r\n");
    if (path == "/until-close")
      return send("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nread until close");
    if (path.starts_with("/redirect/")) {
      int n = std::atoi(path.c_str() + 10);
      if (n <= 0)
        return send(response("200 OK", "landed"));
      return send(
          response("302 Found", "", "Location: /redirect/" + std::to_string(n - 1) + "\r\n"));
    }
    if (path == "/see-other")
      return send(response("303 See Other", "", "Location: /echo\r\n"));
    if (path == "/temporary")
      return send(response("307 Temporary Redirect", "", "Location: /echo\r\n"));
    if (path == "/to-v6")
      return send(
          response("302 Found", "", "Location: http://[::1]:" + std::to_string(port_) + "/ok\r\n"));
    if (path == "/bad-location")
      return send(response("302 Found", "", "Location: ftp://example.invalid/\r\n"));
    if (path == "/slow")
      return read_until_closed();
    if (path == "/garbage")
      return send("NOT-HTTP garbage\r\n\r\n");
    if (path == "/close")
      return close();
    send(response("404 Not Found", "no such path"));
  }

  void send(std::string data) {
    out_ = std::move(data);
    asio::async_write(
        stream_, asio::buffer(out_),
        [self = this->shared_from_this()](error_code, std::size_t) { self->close(); });
  }

  void read_until_closed() {
    stream_.async_read_some(asio::buffer(scratch_),
                            [self = this->shared_from_this()](error_code ec, std::size_t) {
                              if (!ec)
                                self->read_until_closed();
                            });
  }

  void close() {
    error_code ignored;
    auto& socket = stream_.lowest_layer();
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  Stream stream_;
  std::uint16_t port_;
  std::string in_;
  std::size_t request_size_ = 0;
  std::string out_;
  std::array<char, 4096> scratch_{};
};

} // namespace

test_certificate make_certificate(const std::filesystem::path& dir, const std::string& name,
                                  const std::string& san) {
  static long serial = 1;
  test_certificate out;
  out.cert_file = (dir / (name + ".crt")).string();
  out.key_file = (dir / (name + ".key")).string();
  EVP_PKEY* key = EVP_EC_gen("P-256");
  check(key != nullptr, "key generation");
  X509* cert = X509_new();
  check(cert != nullptr, "X509_new");
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  out.not_after = now + 86400;
  check(ASN1_TIME_set(X509_getm_notBefore(cert), static_cast<time_t>(now - 3600)) != nullptr,
        "notBefore");
  check(ASN1_TIME_set(X509_getm_notAfter(cert), static_cast<time_t>(out.not_after)) != nullptr,
        "notAfter");
  X509_set_pubkey(cert, key);
  X509_NAME* subject = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("nzl outbound test"), -1, -1,
                             0);
  X509_set_issuer_name(cert, subject);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  auto add = [&](int nid, const std::string& value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    check(ext != nullptr, "extension");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  };
  add(NID_basic_constraints, "critical,CA:TRUE");
  add(NID_key_usage, "critical,digitalSignature,keyCertSign");
  add(NID_subject_key_identifier, "hash");
  add(NID_subject_alt_name, san);
  check(X509_sign(cert, key, EVP_sha256()) > 0, "signing");
  FILE* f = std::fopen(out.cert_file.c_str(), "w");
  check(f != nullptr && PEM_write_X509(f, cert) == 1, "writing the certificate");
  std::fclose(f);
  f = std::fopen(out.key_file.c_str(), "w");
  check(f != nullptr && PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "writing the key");
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

temp_dir::temp_dir() {
  auto pattern = (std::filesystem::temp_directory_path() / "nzl-outbound-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

temp_dir::~temp_dir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

struct loopback_server::impl {
  void do_accept() {
    acceptor.async_accept([this](error_code ec, tcp::socket socket) {
      if (ec)
        return;
      {
        std::lock_guard guard{mutex};
        ++accepted;
      }
      accepted_cv.notify_all();
      if (tls)
        std::make_shared<session<ssl::stream<tcp::socket>>>(
            ssl::stream<tcp::socket>{std::move(socket), *tls}, port)
            ->start();
      else
        std::make_shared<session<tcp::socket>>(std::move(socket), port)->start();
      do_accept();
    });
  }

  asio::io_context ioc{1};
  std::optional<ssl::context> tls;
  tcp::acceptor acceptor{ioc};
  std::uint16_t port = 0;
  mutable std::mutex mutex; // guards `accepted`
  mutable std::condition_variable accepted_cv;
  std::size_t accepted = 0;
  std::thread thread;
};

loopback_server::loopback_server(const test_certificate* tls) : impl_(std::make_unique<impl>()) {
  auto& d = *impl_;
  if (tls) {
    d.tls.emplace(ssl::context::tls_server);
    d.tls->use_certificate_chain_file(tls->cert_file);
    d.tls->use_private_key_file(tls->key_file, ssl::context::pem);
  }
  tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), 0};
  d.acceptor.open(endpoint.protocol());
  d.acceptor.bind(endpoint);
  d.acceptor.listen();
  d.port = d.acceptor.local_endpoint().port();
  d.do_accept();
  d.thread = std::thread{[&d] {
    d.ioc.run();
  }};
}

loopback_server::~loopback_server() {
  impl_->ioc.stop();
  impl_->thread.join();
}

std::uint16_t loopback_server::port() const {
  return impl_->port;
}

std::size_t loopback_server::connections() const {
  std::lock_guard guard{impl_->mutex};
  return impl_->accepted;
}

bool loopback_server::wait_for_connections(std::size_t n) const {
  std::unique_lock lock{impl_->mutex};
  return impl_->accepted_cv.wait_for(lock, std::chrono::seconds(60),
                                     [&] { return impl_->accepted >= n; });
}

} // namespace nzl::net::outbound::testing
