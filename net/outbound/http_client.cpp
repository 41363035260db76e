// The outbound HTTP client. Design:
// - One io_context with its own threads; one `exchange` per send(), on its
//   own strand, holding itself alive through shared_from_this in every
//   handler (as the server's sessions do). One connection per exchange hop
//   (Connection: close); no pooling, so no state is shared between calls.
// - Egress: the client resolves the name itself, checks EVERY address of the
//   answer against the rules and refuses the call if any is denied, then
//   connects only to those checked endpoints (no second lookup that a DNS
//   rebinding could answer differently). Each redirect hop goes through the
//   same path.
// - One deadline per call (a steady_timer armed once) covers resolve,
//   connect, TLS, write, read and every hop. When it fires, finish() closes
//   the socket; the pending operation then completes with an error that the
//   exchange ignores, because it has already finished.
// - Invariant: finish() runs once per exchange and calls `done` exactly
//   once; every handler returns early once finished_ is set.
// - The body is read through a fixed chunk buffer up to max_response_bytes
//   + 1 bytes, so a huge or endless body costs at most one chunk more than
//   the cap; the connection is then closed.
// - Shutdown: the destructor aborts every live exchange on its strand (done
//   gets errc::unavailable), drops the work guard and joins the threads once
//   the io_context runs out of work.
#include "net/outbound/http_client.hpp"

#include "net/outbound/url.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <limits>
#include <mutex>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <thread>
#include <unordered_map>
#include <vector>

namespace nzl::net::outbound {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono;

namespace {

constexpr std::size_t read_chunk_bytes = 16 * 1024;

error upstream(std::string reason, std::string detail) {
  return fail(errc::upstream_failed, std::move(detail), {{"reason", std::move(reason)}});
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// RFC 9110 token characters (methods and header names).
bool is_token(std::string_view s) noexcept {
  static constexpr std::string_view specials = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           specials.find(c) != std::string_view::npos;
  });
}

bool is_field_value(std::string_view s) noexcept {
  return s.find_first_of(std::string_view{"\r\n\0", 3}) == std::string_view::npos;
}

std::optional<error> validate(const outbound_request& req) {
  if (!is_token(req.method))
    return fail(errc::invalid_field, "method '" + req.method + "' is not an HTTP token");
  if (req.timeout_ms == 0)
    return fail(errc::invalid_field, "timeout_ms must be positive");
  for (auto& [name, value] : req.headers) {
    if (!is_token(name))
      return fail(errc::invalid_field, "header name '" + name + "' is not an HTTP token");
    if (!is_field_value(value))
      return fail(errc::invalid_field,
                  "header '" + name + "' has a line break or NUL in its value");
    for (auto managed : {"host", "content-length", "transfer-encoding", "connection"})
      if (iequals(name, managed))
        return fail(errc::invalid_field, "header '" + name + "' is set by the client itself");
  }
  return std::nullopt;
}

ip_address to_ip(const asio::ip::address& a) {
  ip_address out;
  if (a.is_v4()) {
    auto b = a.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), out.bytes.begin());
  } else {
    auto b = a.to_v6().to_bytes();
    std::copy(b.begin(), b.end(), out.bytes.begin());
    out.v6 = true;
  }
  return out;
}

std::optional<std::int64_t> not_after(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr)
    return std::nullopt;
  std::optional<std::int64_t> out;
  ASN1_TIME* epoch = ASN1_TIME_set(nullptr, 0);
  int days = 0;
  int seconds = 0;
  if (epoch != nullptr && ASN1_TIME_diff(&days, &seconds, epoch, X509_get0_notAfter(cert)) == 1)
    out = std::int64_t{days} * 86400 + seconds;
  ASN1_TIME_free(epoch);
  X509_free(cert);
  return out;
}

bool is_redirect(unsigned status) noexcept {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

} // namespace

struct http_client::impl {
  explicit impl(http_client_options opts);
  void shutdown();
  void unregister(std::uint64_t id);

  class exchange;

  http_client_options options;
  result<compiled_egress> egress;
  ssl::context tls{ssl::context::tls_client};
  std::optional<error> tls_error;
  // Guards `exchanges`, `next_id` and `stopping`: taken once per send() and
  // once per exchange's end, never during I/O. Declared before `ioc`, so that
  // exchanges destroyed with the io_context can still unregister.
  std::mutex mutex;
  std::unordered_map<std::uint64_t, std::weak_ptr<exchange>> exchanges;
  std::uint64_t next_id = 0;
  bool stopping = false;
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::vector<std::thread> threads;
};

class http_client::impl::exchange : public std::enable_shared_from_this<exchange> {
public:
  exchange(impl& client, std::uint64_t id, outbound_request req, callback done)
      : client_(client), id_(id), strand_(asio::make_strand(client.ioc)), req_(std::move(req)),
        done_(std::move(done)), deadline_(strand_), resolver_(strand_),
        started_(steady_clock::now()) {}

  ~exchange() {
    // Only when the io_context was torn down with this exchange's handlers
    // still queued; the normal paths all go through finish().
    if (done_)
      done_(fail(errc::unavailable, "the outbound client stopped before the answer"));
    client_.unregister(id_);
  }

  void run() {
    asio::dispatch(strand_, [self = shared_from_this()] { self->start(); });
  }

  void abort(error err) {
    asio::dispatch(strand_, [self = shared_from_this(), err = std::move(err)]() mutable {
      self->finish(std::move(err));
    });
  }

private:
  void start() {
    if (finished_)
      return;
    if (!client_.egress)
      return finish(fail(errc::invalid_field,
                         "the egress rules are invalid: " + client_.egress.err().detail));
    if (auto err = validate(req_))
      return finish(std::move(*err));
    auto u = parse_url(req_.url);
    if (!u)
      return finish(std::move(u).err());
    url_ = std::move(*u);
    method_ = req_.method;
    body_out_ = std::move(req_.body);
    headers_out_ = std::move(req_.headers);
    deadline_.expires_after(milliseconds(req_.timeout_ms));
    deadline_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->on_deadline();
    });
    hop();
  }

  void on_deadline() {
    if (finished_)
      return;
    finish(upstream("timeout", "no complete answer from " + url_.authority() + " within " +
                                   std::to_string(req_.timeout_ms) + " ms (while " + phase_ + ")"));
  }

  // One request/response over a fresh connection to url_.
  void hop() {
    socket_.reset();
    tls_.reset();
    cert_expires_.reset();
    remote_address_.clear();
    if (url_.tls() && client_.tls_error)
      return finish(*client_.tls_error);
    phase_ = "resolving " + url_.host;
    resolver_.async_resolve(
        url_.host, std::to_string(url_.port), tcp::resolver::numeric_service,
        [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
          self->on_resolve(ec, std::move(results));
        });
  }

  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (finished_)
      return;
    if (ec || results.empty())
      return finish(upstream("resolve", "cannot resolve '" + url_.host +
                                            "': " + (ec ? ec.message() : "no addresses")));
    for (auto& entry : results) {
      auto allowed = check_destination(*client_.egress, to_ip(entry.endpoint().address()));
      if (!allowed) {
        auto err = std::move(allowed).err();
        if (!ip_address::parse(url_.host))
          err.detail = "'" + url_.host + "' resolves to a denied address: " + err.detail;
        err.extensions["host"] = url_.host;
        return finish(std::move(err));
      }
    }
    phase_ = "connecting to " + url_.authority();
    socket_.emplace(strand_);
    asio::async_connect(*socket_, results,
                        [self = shared_from_this()](beast::error_code ec, tcp::endpoint peer) {
                          self->on_connect(ec, peer);
                        });
  }

  void on_connect(beast::error_code ec, const tcp::endpoint& peer) {
    if (finished_)
      return;
    if (ec)
      return finish(
          upstream("connect", "cannot connect to " + url_.authority() + ": " + ec.message()));
    remote_address_ = peer.address().to_string();
    beast::error_code ignored;
    socket_->set_option(tcp::no_delay(true), ignored);
    if (!url_.tls())
      return write();
    tls_.emplace(std::move(*socket_), client_.tls);
    socket_.reset();
    SSL* handle = tls_->native_handle();
    X509_VERIFY_PARAM* param = SSL_get0_param(handle);
    bool literal = ip_address::parse(url_.host).has_value();
    // Verification by OpenSSL's own name check (it reports which check
    // failed); Asio's host_name_verification callback checks the same again.
    if (literal) {
      X509_VERIFY_PARAM_set1_ip_asc(param, url_.host.c_str());
    } else {
      // SNI only for names (RFC 6066 forbids address literals).
      SSL_set_tlsext_host_name(handle, url_.host.c_str());
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      X509_VERIFY_PARAM_set1_host(param, url_.host.c_str(), url_.host.size());
    }
    tls_->set_verify_mode(ssl::verify_peer, ignored);
    tls_->set_verify_callback(ssl::host_name_verification(url_.host), ignored);
    phase_ = "the TLS handshake with " + url_.authority();
    tls_->async_handshake(
        ssl::stream_base::client,
        [self = shared_from_this()](beast::error_code ec) { self->on_handshake(ec); });
  }

  void on_handshake(beast::error_code ec) {
    if (finished_)
      return;
    if (ec) {
      auto verify = SSL_get_verify_result(tls_->native_handle());
      if (verify != X509_V_OK)
        return finish(upstream("certificate",
                               "the certificate of " + url_.authority() +
                                   " is not trusted: " + X509_verify_cert_error_string(verify)));
      return finish(
          upstream("tls", "TLS handshake with " + url_.authority() + " failed: " + ec.message()));
    }
    cert_expires_ = not_after(tls_->native_handle());
    write();
  }

  template <class F> void with_stream(F&& f) {
    if (tls_)
      f(*tls_);
    else
      f(*socket_);
  }

  void write() {
    request_ = {};
    request_.version(11);
    if (auto verb = http::string_to_verb(method_); verb != http::verb::unknown)
      request_.method(verb);
    else
      request_.method_string(method_);
    request_.target(url_.target);
    request_.set(http::field::host, url_.authority());
    request_.set(http::field::connection, "close");
    bool has_agent = false;
    for (auto& [name, value] : headers_out_) {
      has_agent = has_agent || iequals(name, "user-agent");
      request_.insert(name, value);
    }
    if (!has_agent)
      request_.set(http::field::user_agent, client_.options.user_agent);
    request_.body() = body_out_;
    request_.prepare_payload();
    phase_ = "sending the request";
    with_stream([this](auto& stream) {
      http::async_write(
          stream, request_,
          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
    });
  }

  void on_write(beast::error_code ec) {
    if (finished_)
      return;
    if (ec)
      return finish(upstream("write", "sending the request to " + url_.authority() +
                                          " failed: " + ec.message()));
    buffer_.consume(buffer_.size());
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(client_.options.max_header_bytes));
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    if (method_ == "HEAD")
      parser_->skip(true);
    phase_ = "waiting for the response head";
    with_stream([this](auto& stream) {
      http::async_read_header(
          stream, buffer_, *parser_,
          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
    });
  }

  void on_header(beast::error_code ec) {
    if (finished_)
      return;
    if (ec)
      return finish(read_error(ec, "head"));
    auto& msg = parser_->get();
    auto status = msg.result_int();
    if (is_redirect(status) && redirects_ < req_.max_redirects) {
      if (auto location = msg.find(http::field::location); location != msg.end())
        return redirect(status, location->value());
    }
    response_.status = static_cast<int>(status);
    for (auto& field : msg)
      response_.headers.emplace_back(std::string{field.name_string()}, std::string{field.value()});
    read_body();
  }

  void redirect(unsigned status, std::string_view location) {
    auto next = resolve_location(url_, location);
    if (!next)
      return finish(upstream("redirect", "redirect from " + url_.to_string() +
                                             " to an unusable location: " + next.err().detail));
    ++redirects_;
    // As browsers and curl do: 303 always, and 301/302 after a POST, turn
    // into a GET without a body; 307 and 308 repeat the request as it was.
    if ((status == 303 && method_ != "HEAD") ||
        ((status == 301 || status == 302) && method_ == "POST")) {
      method_ = "GET";
      body_out_.clear();
      std::erase_if(headers_out_, [](auto& h) { return iequals(h.first, "content-type"); });
    }
    // Credentials are not handed to another origin.
    if (next->scheme != url_.scheme || next->host != url_.host || next->port != url_.port)
      std::erase_if(headers_out_, [](auto& h) {
        return iequals(h.first, "authorization") || iequals(h.first, "proxy-authorization") ||
               iequals(h.first, "cookie");
      });
    close_socket();
    url_ = std::move(*next);
    hop();
  }

  void read_body() {
    if (parser_->is_done())
      return complete();
    // Read at most one byte past the cap: enough to know it was exceeded.
    auto remaining = req_.max_response_bytes - body_in_.size();
    auto want = remaining >= chunk_.size() ? chunk_.size() : remaining + 1;
    chunk_used_ = want;
    parser_->get().body().data = chunk_.data();
    parser_->get().body().size = want;
    phase_ = "reading the response body";
    with_stream([this](auto& stream) {
      http::async_read(
          stream, buffer_, *parser_,
          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
    });
  }

  void on_body(beast::error_code ec) {
    if (finished_)
      return;
    if (ec == http::error::need_buffer)
      ec = {};
    bool truncated_tls = ec == ssl::error::stream_truncated && parser_->need_eof();
    if (ec && !truncated_tls)
      return finish(read_error(ec, "body"));
    body_in_.append(chunk_.data(), chunk_used_ - parser_->get().body().size);
    if (body_in_.size() > req_.max_response_bytes) {
      body_in_.resize(req_.max_response_bytes);
      response_.body_truncated = true;
      return complete();
    }
    // A body delimited by the close of a TLS connection without close_notify
    // ends here, as most clients accept.
    if (parser_->is_done() || truncated_tls)
      return complete();
    read_body();
  }

  error read_error(beast::error_code ec, const char* part) {
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec == asio::error::eof || ec == ssl::error::stream_truncated)
      return upstream("malformed_response", std::string{"the connection to "} + url_.authority() +
                                                " closed before the end of the response " + part);
    if (ec.category() == http::make_error_code(http::error::bad_version).category())
      return upstream("malformed_response", "malformed response " + std::string{part} + " from " +
                                                url_.authority() + ": " + ec.message());
    return upstream("read", "reading the response " + std::string{part} + " from " +
                                url_.authority() + " failed: " + ec.message());
  }

  void complete() {
    response_.body = std::move(body_in_);
    response_.remote_address = remote_address_;
    response_.cert_expires_unix = cert_expires_;
    response_.final_url = url_.to_string();
    response_.redirects = redirects_;
    response_.latency_ms = duration<double, std::milli>(steady_clock::now() - started_).count();
    finish(std::move(response_));
  }

  void close_socket() {
    beast::error_code ignored;
    if (tls_)
      tls_->next_layer().close(ignored);
    if (socket_)
      socket_->close(ignored);
  }

  // Ends the exchange: called once, on the strand; pending operations are
  // cancelled and complete later into handlers that see finished_.
  void finish(result<outbound_response> outcome) {
    if (finished_)
      return;
    finished_ = true;
    deadline_.cancel();
    resolver_.cancel();
    close_socket();
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(outcome));
  }

  impl& client_;
  std::uint64_t id_;
  asio::strand<asio::io_context::executor_type> strand_;
  outbound_request req_;
  callback done_;
  asio::steady_timer deadline_;
  tcp::resolver resolver_;
  steady_clock::time_point started_;
  bool finished_ = false;
  url url_;
  std::string method_;
  std::string body_out_;
  std::vector<std::pair<std::string, std::string>> headers_out_;
  unsigned redirects_ = 0;
  std::string phase_ = "starting";
  std::optional<tcp::socket> socket_;
  std::optional<ssl::stream<tcp::socket>> tls_;
  std::string remote_address_;
  std::optional<std::int64_t> cert_expires_;
  http::request<http::string_body> request_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::buffer_body>> parser_;
  std::array<char, read_chunk_bytes> chunk_{};
  std::size_t chunk_used_ = 0;
  std::string body_in_;
  outbound_response response_;
};

http_client::impl::impl(http_client_options opts)
    : options(std::move(opts)), egress(compile(options.egress)),
      ioc(static_cast<int>(std::max(1u, options.io_threads))), work(asio::make_work_guard(ioc)) {
  beast::error_code ec;
  SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_compression, ec);
  tls.set_verify_mode(ssl::verify_peer, ec);
  if (options.ca_file.empty())
    tls.set_default_verify_paths(ec);
  else
    tls.load_verify_file(options.ca_file, ec);
  if (ec)
    tls_error =
        fail(errc::invalid_field, "cannot load the trusted CA certificates from " +
                                      (options.ca_file.empty() ? std::string{"the system store"}
                                                               : "'" + options.ca_file + "'") +
                                      ": " + ec.message());
  for (unsigned i = 0; i < std::max(1u, options.io_threads); ++i)
    threads.emplace_back([this] { ioc.run(); });
}

void http_client::impl::shutdown() {
  std::vector<std::shared_ptr<exchange>> live;
  {
    std::lock_guard guard{mutex};
    stopping = true;
    for (auto& [id, weak] : exchanges)
      if (auto x = weak.lock())
        live.push_back(std::move(x));
  }
  for (auto& x : live)
    x->abort(fail(errc::unavailable, "the outbound client shut down before the answer"));
  live.clear();
  work.reset();
  for (auto& t : threads)
    t.join();
  threads.clear();
}

void http_client::impl::unregister(std::uint64_t id) {
  std::lock_guard guard{mutex};
  exchanges.erase(id);
}

http_client::http_client(egress_rules rules, unsigned io_threads)
    : http_client([&] {
        http_client_options options;
        options.egress = std::move(rules);
        options.io_threads = io_threads;
        return options;
      }()) {}

http_client::http_client(http_client_options options)
    : impl_(std::make_unique<impl>(std::move(options))) {}

http_client::~http_client() {
  impl_->shutdown();
}

void http_client::send(outbound_request request, callback done) {
  auto& d = *impl_;
  std::shared_ptr<impl::exchange> x;
  {
    std::lock_guard guard{d.mutex};
    if (!d.stopping) {
      auto id = d.next_id++;
      x = std::make_shared<impl::exchange>(d, id, std::move(request), std::move(done));
      d.exchanges.emplace(id, x);
    }
  }
  if (x)
    return x->run();
  asio::post(d.ioc, [done = std::move(done)] {
    done(fail(errc::unavailable, "the outbound client is shutting down"));
  });
}

} // namespace nzl::net::outbound
