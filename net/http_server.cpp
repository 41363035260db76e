// The HTTP server, after Beast's advanced server (do_x/on_x pairs, one fail
// path), with one io_context per io thread: each connection lives on one
// context, so its handlers are serialised without a strand. HTTPS is the same
// session over an ssl_stream: sessions are templates on their stream type, so
// the plain path pays nothing for TLS (no virtual call per read or write).
// Invariants:
// - every async operation of a session runs with a deadline (head: idle
//   timeout, body: read timeout, response: write timeout);
// - a session holds at most one request; the api's answer is posted back to
//   the session's io_context (one thread), so no lock guards session state;
// - at most max_connections sessions exist, fewer when the open-file limit
//   would not leave the node descriptors of its own (connection_budget.hpp);
//   a connection beyond that gets a 503 problem (while few are being
//   refused) or is closed at once;
// - drain closes the acceptor and idle sessions; busy sessions finish their
//   request and close after the response;
// - over TLS, the handshake runs first under its own deadline; a failed one
//   closes quietly (debug log): scanners and plain-HTTP clients are routine.
#include "net/http_server.hpp"

#include "core/ids.hpp"
#include "core/log.hpp"
#include "net/api.hpp"
#include "net/connection_budget.hpp"
#include "net/router.hpp"
#include "net/ws/hub.hpp"
#include "net/ws/internal/connection.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <array>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <optional>
#include <sys/resource.h>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace nzl::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;
using namespace std::chrono;

namespace {

http_method method_of(http::verb verb) noexcept {
  switch (verb) {
  case http::verb::get:
    return http_method::get;
  case http::verb::head:
    return http_method::head;
  case http::verb::post:
    return http_method::post;
  case http::verb::put:
    return http_method::put;
  case http::verb::patch:
    return http_method::patch;
  case http::verb::delete_:
    return http_method::del;
  case http::verb::options:
    return http_method::options;
  default:
    return http_method::other;
  }
}

// Errors that mean "the peer went away or we closed": not worth a log line.
bool is_normal_close(const beast::error_code& ec) noexcept {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == beast::error::timeout ||
         ec == asio::ssl::error::stream_truncated;
}

// A TLS record or alert the peer got wrong: the peer's fault, not ours.
bool is_tls_error(const beast::error_code& ec) noexcept {
  return ec.category() == asio::error::get_ssl_category() ||
         ec.category() == asio::ssl::error::get_stream_category();
}

// The IP text of a peer: IPv4-mapped IPv6 (a dual-stack listener) as IPv4,
// IPv6 without brackets or scope.
std::string address_text(const tcp::endpoint& peer) {
  auto address = peer.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  if (address.is_v6()) {
    auto v6 = address.to_v6();
    v6.scope_id(0);
    return v6.to_string();
  }
  return address.to_string();
}

// The oldest error on OpenSSL's queue as text, and an empty queue after.
std::string openssl_error_text() {
  auto code = ERR_peek_error();
  std::string text = "unknown OpenSSL error";
  if (code != 0) {
    std::array<char, 256> buffer{};
    ERR_error_string_n(code, buffer.data(), buffer.size());
    text = buffer.data();
  }
  ERR_clear_error();
  return text;
}

// The TLS policy of issue 4: TLS 1.2+, 1.3 preferred (OpenSSL negotiates the
// highest both sides have), forward secrecy and AEAD only, the server's order
// of ciphers, no compression (CRIME), no renegotiation (a DoS lever), no
// session resumption (simpler: no ticket keys to rotate). The certificate and
// key are loaded once, here; a passphrase-protected key fails instead of
// prompting on the terminal.
result<std::unique_ptr<asio::ssl::context>> make_tls_context(const tls_options& tls) {
  if (tls.cert_file.empty() || tls.key_file.empty())
    return fail(errc::invalid_field, "https needs both a certificate file and a key file");
  auto* raw = SSL_CTX_new(TLS_server_method());
  if (raw == nullptr)
    return fail(errc::internal, "cannot create a TLS context: " + openssl_error_text());
  // asio's context takes ownership of the SSL_CTX; this constructor does not
  // throw (unlike the one taking a method).
  auto ctx = std::make_unique<asio::ssl::context>(raw);
  auto* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
                                  SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(native, 0);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_default_passwd_cb(native, [](char*, int, int, void*) { return 0; });
  if (SSL_CTX_set_cipher_list(native,
                              "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                              "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                              "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305") != 1 ||
      SSL_CTX_set_ciphersuites(native, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
                                       "TLS_CHACHA20_POLY1305_SHA256") != 1)
    return fail(errc::internal, "cannot set the TLS ciphers: " + openssl_error_text());
  if (SSL_CTX_use_certificate_chain_file(native, tls.cert_file.c_str()) != 1)
    return fail(errc::invalid_field,
                "cannot load the TLS certificate chain '" + tls.cert_file +
                    "': " + openssl_error_text(),
                {{"field", "tls.cert_file"}});
  if (SSL_CTX_use_PrivateKey_file(native, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    return fail(errc::invalid_field,
                "cannot load the TLS private key '" + tls.key_file + "': " + openssl_error_text(),
                {{"field", "tls.key_file"}});
  if (SSL_CTX_check_private_key(native) != 1)
    return fail(errc::invalid_field,
                "the TLS private key '" + tls.key_file + "' does not match the certificate '" +
                    tls.cert_file + "': " + openssl_error_text(),
                {{"field", "tls.key_file"}});
  return ctx;
}

// Copies the headers the api and the gateway read, in one pass over the head
// instead of one lookup per name; an absent header costs no allocation. The
// first instance of a header wins, except X-Forwarded-For whose instances are
// joined with ", " (RFC 9110 5.3).
template <class Fields>
void read_headers(const Fields& fields, http_request& req, std::string_view& client_id) {
  enum : unsigned {
    content_type = 1u << 0,
    authorization = 1u << 1,
    api_key = 1u << 2,
    timestamp = 1u << 3,
    nonce = 1u << 4,
    signature = 1u << 5,
    forwarded_for = 1u << 6,
    country = 1u << 7,
    idempotency_key = 1u << 8,
    request_id = 1u << 9,
  };
  unsigned seen = 0;
  for (const auto& field : fields) {
    auto value = field.value();
    auto take = [&](unsigned bit, std::string& out) {
      if ((seen & bit) == 0) {
        seen |= bit;
        out.assign(value.data(), value.size());
      }
    };
    if (field.name() == http::field::content_type) {
      take(content_type, req.content_type);
      continue;
    }
    if (field.name() == http::field::authorization) {
      take(authorization, req.authorization);
      continue;
    }
    auto name = field.name_string();
    switch (name.size()) {
    case 7:
      if (beast::iequals(name, "X-Nonce"))
        take(nonce, req.nonce);
      break;
    case 9:
      if (beast::iequals(name, "X-API-Key"))
        take(api_key, req.api_key);
      break;
    case 11:
      if (beast::iequals(name, "X-Timestamp"))
        take(timestamp, req.timestamp);
      else if (beast::iequals(name, "X-Signature"))
        take(signature, req.signature);
      break;
    case 12:
      if (beast::iequals(name, "X-Request-Id")) {
        if ((seen & request_id) == 0)
          client_id = value;
        seen |= request_id;
      } else if (beast::iequals(name, "CF-IPCountry")) {
        take(country, req.country);
      }
      break;
    case 15:
      if (beast::iequals(name, "Idempotency-Key")) {
        take(idempotency_key, req.idempotency_key);
      } else if (beast::iequals(name, "X-Forwarded-For")) {
        if ((seen & forwarded_for) != 0)
          req.forwarded_for.append(", ");
        seen |= forwarded_for;
        req.forwarded_for.append(value.data(), value.size());
      }
      break;
    default:
      break;
    }
  }
}

} // namespace

struct http_server::impl {
  impl(server_options opts, api& handler, request_handler front_handler)
      : options(std::move(opts)), api_(handler), front(std::move(front_handler)),
        contexts(make_contexts(options.io_threads)), acceptor(contexts.front()->get_executor()) {}

  // What drain() needs of a session of either stream type (called once per
  // session, never per request).
  class session_base {
  public:
    virtual ~session_base() = default;
    virtual void on_drain() = 0;
    virtual asio::any_io_executor executor() = 0;
  };
  template <class Stream> class session;
  template <class Stream> class rejecter;
  class ws_registration;

  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  template <class Stream> void open_session(tcp::socket socket, std::string peer);
  void unregister_session(std::uint64_t id);
  std::shared_ptr<ws_registration> register_ws(asio::any_io_executor ex);

  server_options options;
  api& api_;
  request_handler front;                   // empty: api_.handle
  std::unique_ptr<asio::ssl::context> tls; // set when serving HTTPS
  // Guards `sessions` only; taken once per connection open and close, never
  // per request. Declared before `contexts` so that sessions destroyed with the
  // io_context can still unregister.
  mutable std::mutex sessions_mutex;
  std::condition_variable sessions_closed;
  std::unordered_map<std::uint64_t, std::weak_ptr<session_base>> sessions;
  std::uint64_t next_session_id = 0;
  std::atomic<bool> draining{false};
  std::atomic<std::size_t> rejecting{0};
  // Sessions and concurrent 503 refusals, within the open-file limit (set by
  // start from options.max_connections and RLIMIT_NOFILE).
  connection_budget budget{1024, 64};

  // One io_context per io thread, as nginx has one event loop per worker: a
  // connection lives on one context and its handlers never run in parallel,
  // so sessions need no strand, and the threads share no scheduler lock.
  // Answers from actors are posted to the connection's context.
  static std::vector<std::unique_ptr<asio::io_context>> make_contexts(unsigned n) {
    std::vector<std::unique_ptr<asio::io_context>> out;
    for (unsigned i = 0; i < std::max(1u, n); ++i)
      out.push_back(std::make_unique<asio::io_context>(1));
    return out;
  }
  asio::io_context& next_context() { return *contexts[next_context_index++ % contexts.size()]; }

  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::size_t next_context_index = 0; // only touched by the acceptor's handlers
  // Keep the io threads running while no async operation is pending, e.g.
  // while draining with every busy session waiting for an actor's answer.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor;
  tcp::endpoint accept_peer; // written by the one pending accept
  asio::steady_timer accept_retry{acceptor.get_executor()};
  std::vector<std::thread> threads;
};

namespace {

template <class Stream> constexpr bool is_tls_stream = std::is_same_v<Stream, tls_stream>;

// Builds a session's stream from its accepted socket.
template <class Stream>
Stream make_stream(tcp::socket&& socket, [[maybe_unused]] asio::ssl::context* tls) {
  if constexpr (is_tls_stream<Stream>)
    return Stream{std::move(socket), *tls};
  else
    return Stream{std::move(socket)};
}

} // namespace

// Answers one request-less 503 to a connection over the limit, then closes
// (over TLS after a handshake: the client could not read it otherwise).
template <class Stream>
class http_server::impl::rejecter : public std::enable_shared_from_this<rejecter<Stream>> {
public:
  rejecter(impl& server, tcp::socket&& socket)
      : server_(server), stream_(make_stream<Stream>(std::move(socket), server.tls.get())) {}

  void run() {
    if constexpr (is_tls_stream<Stream>) {
      beast::get_lowest_layer(stream_).expires_after(
          milliseconds(server_.options.handshake_timeout_ms));
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec)
                                  return self->done();
                                self->write();
                              });
    } else {
      write();
    }
  }

private:
  void write() {
    auto id = new_request_id();
    auto res = server_.api_.problem(
        fail(errc::overloaded, "the node has too many open connections; retry later"), id);
    res_.result(static_cast<unsigned>(res.status));
    res_.set(http::field::content_type, res.content_type);
    res_.set("X-Request-Id", id);
    res_.set(http::field::retry_after, "1");
    res_.keep_alive(false);
    res_.body() = std::move(res.body);
    res_.prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(milliseconds(server_.options.write_timeout_ms));
    http::async_write(
        stream_, res_,
        [self = this->shared_from_this()](beast::error_code, std::size_t) { self->done(); });
  }

  void done() {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    server_.rejecting.fetch_sub(1);
  }

  impl& server_;
  Stream stream_;
  http::response<http::string_body> res_;
};

// A WebSocket connection as the server counts it: registered like a session
// (max_connections, drain, wait_drained), held by the connection until it
// ends. A few dozen bytes, not the HTTP session (with its buffers).
class http_server::impl::ws_registration final : public session_base {
public:
  ws_registration(impl& server, std::uint64_t id, asio::any_io_executor ex)
      : server_(server), id_(id), ex_(std::move(ex)) {}
  ~ws_registration() override { server_.unregister_session(id_); }
  void on_drain() override {
    if (auto c = conn.lock())
      c->drain();
  }
  asio::any_io_executor executor() override { return ex_; }

  std::weak_ptr<ws::internal::drainable> conn;

private:
  impl& server_;
  std::uint64_t id_;
  asio::any_io_executor ex_;
};

template <class Stream>
class http_server::impl::session final : public session_base,
                                         public std::enable_shared_from_this<session<Stream>> {
public:
  session(impl& server, tcp::socket&& socket, std::uint64_t id, std::string peer)
      : server_(server), stream_(make_stream<Stream>(std::move(socket), server.tls.get())),
        ex_(lowest().get_executor()), id_(id), peer_(std::move(peer)) {}

  ~session() override { server_.unregister_session(id_); }

  void run() {
    asio::dispatch(lowest().get_executor(), [self = this->shared_from_this()] {
      if constexpr (is_tls_stream<Stream>)
        self->do_handshake();
      else
        self->do_read_head();
    });
  }

  // Called on the session's io_context when the server starts draining.
  void on_drain() override {
    draining_ = true;
    if (upgraded_)
      return; // the stream belongs to a WebSocket connection now
    if (!busy_ && !(parser_ && parser_->got_some()))
      close();
  }

  asio::any_io_executor executor() override { return ex_; }

private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void do_handshake() {
    lowest().expires_after(milliseconds(server_.options.handshake_timeout_ms));
    stream_.async_handshake(
        asio::ssl::stream_base::server,
        [self = this->shared_from_this()](beast::error_code ec) { self->on_handshake(ec); });
  }

  void on_handshake(beast::error_code ec) {
    if (ec) {
      // Scanners, plain HTTP to the HTTPS port, old clients: routine.
      log::emit(log::level::debug, "tls_handshake_failed", R"("session":{},"peer":{},"error":{})",
                id_, log::quote(peer_), log::quote(ec.message()));
      return close();
    }
    if (draining_)
      return close();
    do_read_head();
  }

  void do_read_head() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    lowest().expires_after(milliseconds(server_.options.idle_timeout_ms));
    http::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&session::on_read_head, this->shared_from_this()));
  }

  void on_read_head(beast::error_code ec, std::size_t) {
    if (ec)
      return on_read_error(ec);
    started_ = steady_clock::now();
    if (parser_->is_done())
      return dispatch_request();
    lowest().expires_after(milliseconds(server_.options.read_timeout_ms));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&session::on_read_body, this->shared_from_this()));
  }

  void on_read_body(beast::error_code ec, std::size_t) {
    if (ec)
      return on_read_error(ec);
    dispatch_request();
  }

  void on_read_error(beast::error_code ec) {
    if (started_ == steady_clock::time_point{})
      started_ = steady_clock::now();
    if (ec == http::error::body_limit) {
      // Refused from the Content-Length (or as soon as the chunks pass the
      // limit), without reading the rest.
      return refuse(fail(errc::payload_too_large,
                         "the body exceeds the limit of " +
                             std::to_string(server_.options.max_body_bytes) + " bytes",
                         {{"limit_bytes", server_.options.max_body_bytes}}));
    }
    if (ec == http::error::header_limit)
      return refuse(fail(errc::header_too_large,
                         "the request head exceeds " +
                             std::to_string(server_.options.max_header_bytes) + " bytes"));
    if (is_normal_close(ec) || ec == http::error::partial_message) {
      if (ec == beast::error::timeout)
        log::emit(log::level::debug, "connection_timeout", R"("session":{})", id_);
      return close();
    }
    if (ec.category() == http::make_error_code(http::error::bad_target).category())
      return refuse(fail(errc::bad_request, "malformed HTTP request: " + ec.message()));
    if (is_tls_error(ec)) {
      log::emit(log::level::debug, "tls_read_failed", R"("session":{},"error":{})", id_,
                log::quote(ec.message()));
      return close();
    }
    log::emit(log::level::warn, "read_failed", R"("session":{},"error":{})", id_,
              log::quote(ec.message()));
    close();
  }

  // Answers an error found while reading, then closes: the connection's
  // framing can no longer be trusted.
  void refuse(const error& err) {
    busy_ = true;
    // The head may be complete (a Content-Length over the limit): keep the
    // client's own request id then, as for any other answer.
    auto client_id = parser_ ? parser_->get()["X-Request-Id"] : std::string_view{};
    request_id_ = is_sane_request_id(client_id) ? std::string{client_id} : new_request_id();
    // The request line is stored before any header or body limit trips.
    method_ = parser_ ? method_of(parser_->get().method()) : http_method::other;
    path_ = parser_ ? std::string{path_of(parser_->get().target())} : std::string{};
    auto res = server_.api_.problem(err, request_id_);
    res.close = true;
    write(std::move(res));
  }

  void dispatch_request() {
    busy_ = true;
    auto& msg = parser_->get();
    if (server_.options.websocket && msg.method() == http::verb::get &&
        path_of(msg.target()) == "/v3/ws" && beast::websocket::is_upgrade(msg))
      return upgrade();
    http_request req;
    req.method = method_of(msg.method());
    req.target = std::string{msg.target()};
    std::string_view client_id;
    read_headers(msg.base(), req, client_id);
    req.body = std::move(msg.body());
    req.request_id = is_sane_request_id(client_id) ? std::string{client_id} : new_request_id();
    req.peer_address = peer_;
    req.tls = is_tls_stream<Stream>;
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    method_ = req.method;
    path_ = std::string{path_of(req.target)};
    request_id_ = req.request_id;
    auto done = [self = this->shared_from_this()](http_response res) {
      // May run on any thread; dispatch runs inline when already on the
      // session's io thread (inline tasks), otherwise it queues onto it.
      auto ex = self->lowest().get_executor();
      asio::dispatch(ex, [self = std::move(self), res = std::move(res)]() mutable {
        self->write(std::move(res));
      });
    };
    if (server_.front)
      server_.front(std::move(req), std::move(done));
    else
      server_.api_.handle(std::move(req), std::move(done));
  }

  // GET /v3/ws: the gateway (or the token) decides before the handshake; a
  // refusal is an ordinary HTTP problem response. Admitted, the stream moves
  // to a WebSocket connection and this HTTP session ends; the connection is
  // counted (and drained) through its registration.
  void upgrade() {
    auto& msg = parser_->get();
    http_request req;
    req.method = http_method::get;
    req.target = std::string{msg.target()};
    std::string_view client_id;
    read_headers(msg.base(), req, client_id);
    req.request_id = is_sane_request_id(client_id) ? std::string{client_id} : new_request_id();
    req.peer_address = peer_;
    req.tls = is_tls_stream<Stream>;
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    method_ = req.method;
    path_ = std::string{path_of(req.target)};
    request_id_ = req.request_id;
    if (server_.draining.load())
      return write(server_.api_.problem(error{errc::unavailable, "the node is shutting down", {}},
                                        request_id_, path_));
    auto verdict = server_.options.websocket->admit(req);
    if (verdict.refusal)
      return write(std::move(*verdict.refusal));
    upgraded_ = true;
    lowest().expires_never(); // WebSocket timeouts apply from here
    auto reg = server_.register_ws(ex_);
    reg->conn = ws::internal::start(std::move(stream_), parser_->release(),
                                    *server_.options.websocket, std::move(verdict.grant), reg);
    parser_.reset();
    buffer_.clear();
    buffer_.shrink_to_fit();
  }

  void write(http_response res) {
    res_ = {};
    res_.version(version_ ? version_ : 11);
    res_.result(static_cast<unsigned>(res.status));
    res_.set(http::field::content_type, res.content_type);
    res_.set("X-Request-Id", request_id_);
    for (auto& [name, value] : res.headers)
      res_.set(name, value);
    close_after_write_ = res.close || !keep_alive_ || server_.draining.load();
    res_.keep_alive(!close_after_write_);
    status_ = res.status;
    if (method_ == http_method::head) {
      res_.content_length(res.body.size());
    } else {
      res_.body() = std::move(res.body);
      res_.prepare_payload();
    }
    lowest().expires_after(milliseconds(server_.options.write_timeout_ms));
    http::async_write(stream_, res_,
                      beast::bind_front_handler(&session::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t bytes) {
    log_request(bytes);
    busy_ = false;
    started_ = {};
    if (ec) {
      if (!is_normal_close(ec))
        log::emit(log::level::warn, "write_failed", R"("session":{},"error":{})", id_,
                  log::quote(ec.message()));
      return close();
    }
    if (close_after_write_ || draining_)
      return shutdown_send();
    do_read_head();
  }

  void log_request(std::size_t bytes) {
    if (!log::enabled(log::level::info))
      return;
    auto us = duration_cast<microseconds>(steady_clock::now() - started_).count();
    log::emit(
        log::level::info, "request",
        R"("request_id":{},"method":"{}","path":{},"status":{},"duration_ms":{}.{:03},"bytes":{})",
        log::quote(request_id_), to_string(method_), log::quote(path_), status_, us / 1000,
        us % 1000, bytes);
  }

  // Sends FIN and keeps reading (and discarding) briefly, so that a client
  // still sending a refused body sees our response instead of a reset. Over
  // TLS, sends close_notify and waits as briefly for the client's.
  void shutdown_send() {
    lowest().expires_after(milliseconds(500));
    if constexpr (is_tls_stream<Stream>) {
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->close(); });
    } else {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      linger_left_ = 256 * 1024;
      do_linger();
    }
  }

  void do_linger() {
    lowest().async_read_some(asio::buffer(linger_buf_), [self = this->shared_from_this()](
                                                            beast::error_code ec, std::size_t n) {
      if (ec || n >= self->linger_left_)
        return self->close();
      self->linger_left_ -= n;
      self->do_linger();
    });
  }

  void close() {
    if (upgraded_)
      return;
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().socket().close(ignored);
  }

  impl& server_;
  Stream stream_;
  asio::any_io_executor ex_; // the stream's, kept: an upgrade moves the stream away
  std::uint64_t id_;
  std::string peer_; // the peer's IP text, copied into every request
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  std::string request_id_;
  std::string path_;
  http_method method_ = http_method::other;
  unsigned version_ = 11;
  int status_ = 0;
  bool keep_alive_ = true;
  bool busy_ = false;
  bool draining_ = false;
  bool close_after_write_ = false;
  bool upgraded_ = false;
  std::size_t linger_left_ = 0;
  std::array<char, 4096> linger_buf_{};
  steady_clock::time_point started_{};
};

std::shared_ptr<http_server::impl::ws_registration>
http_server::impl::register_ws(asio::any_io_executor ex) {
  std::lock_guard guard{sessions_mutex};
  auto id = next_session_id++;
  auto r = std::make_shared<ws_registration>(*this, id, std::move(ex));
  sessions.emplace(id, r);
  return r;
}

void http_server::impl::do_accept() {
  acceptor.async_accept(
      next_context(), accept_peer,
      [this](beast::error_code ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void http_server::impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor.is_open())
    return;
  if (ec) {
    // EMFILE and friends: log and keep accepting rather than die, but after
    // a pause: accept would fail again at once, spinning a core and the log.
    log::emit(log::level::warn, "accept_failed", R"("error":{})", log::quote(ec.message()));
    accept_retry.expires_after(milliseconds(100));
    accept_retry.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && acceptor.is_open())
        do_accept();
    });
    return;
  }
  beast::error_code ignored;
  if (draining.load()) {
    // Accepted in the moment between drain() and the acceptor closing.
    socket.close(ignored);
    return;
  }
  socket.set_option(tcp::no_delay(true), ignored);
  if (tls)
    open_session<tls_stream>(std::move(socket), address_text(accept_peer));
  else
    open_session<plain_stream>(std::move(socket), address_text(accept_peer));
  do_accept();
}

template <class Stream> void http_server::impl::open_session(tcp::socket socket, std::string peer) {
  std::shared_ptr<session<Stream>> s;
  {
    std::lock_guard guard{sessions_mutex};
    if (sessions.size() < budget.sessions) {
      auto id = next_session_id++;
      s = std::make_shared<session<Stream>>(*this, std::move(socket), id, std::move(peer));
      sessions.emplace(id, s);
    }
  }
  if (s) {
    s->run();
  } else if (rejecting.fetch_add(1) < budget.rejecters) {
    std::make_shared<rejecter<Stream>>(*this, std::move(socket))->run();
  } else {
    rejecting.fetch_sub(1);
    beast::error_code ignored;
    socket.close(ignored);
  }
}

void http_server::impl::unregister_session(std::uint64_t id) {
  std::lock_guard guard{sessions_mutex};
  sessions.erase(id);
  if (sessions.empty())
    sessions_closed.notify_all();
}

http_server::http_server(server_options options, api& handler)
    : impl_(std::make_unique<impl>(std::move(options), handler, request_handler{})) {}

http_server::http_server(server_options options, api& handler, request_handler front)
    : impl_(std::make_unique<impl>(std::move(options), handler, std::move(front))) {}

http_server::~http_server() {
  stop();
}

result<std::uint16_t> http_server::start() {
  auto& d = *impl_;
  beast::error_code ec;
  auto address = asio::ip::make_address(d.options.host, ec);
  if (ec)
    return fail(errc::invalid_field, "http host '" + d.options.host + "' is not an IP address");
  if (d.options.tls.enabled()) {
    auto ctx = make_tls_context(d.options.tls);
    if (!ctx)
      return std::move(ctx).err();
    d.tls = std::move(ctx).value();
  }
  rlimit files{};
  const std::uint64_t file_limit =
      ::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY
          ? files.rlim_cur
          : std::uint64_t{1} << 20;
  d.budget = budget_connections(d.options.max_connections, 64, file_limit);
  if (d.budget.sessions < d.options.max_connections)
    log::emit(log::level::warn, "connection_cap_lowered",
              R"("max_connections":{},"cap":{},"open_file_limit":{})", d.options.max_connections,
              d.budget.sessions, file_limit);
  tcp::endpoint endpoint{address, d.options.port};
  auto where = d.options.host + ":" + std::to_string(d.options.port);
  d.acceptor.open(endpoint.protocol(), ec);
  if (!ec)
    d.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    d.acceptor.bind(endpoint, ec);
  if (!ec)
    d.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return fail(errc::unavailable, "cannot listen on " + where + ": " + ec.message());
  auto port = d.acceptor.local_endpoint(ec).port();
  for (auto& ctx : d.contexts)
    d.work.emplace_back(ctx->get_executor());
  d.do_accept();
  for (auto& ctx : d.contexts)
    d.threads.emplace_back([c = ctx.get()] { c->run(); });
  log::emit(log::level::debug, "http_listening", R"("port":{},"tls":{})", port,
            d.tls ? "true" : "false");
  return port;
}

void http_server::drain() {
  auto& d = *impl_;
  if (d.draining.exchange(true))
    return;
  asio::post(d.acceptor.get_executor(), [&d] {
    beast::error_code ignored;
    d.acceptor.close(ignored);
  });
  std::vector<std::shared_ptr<impl::session_base>> live;
  {
    std::lock_guard guard{d.sessions_mutex};
    for (auto& [id, weak] : d.sessions)
      if (auto s = weak.lock())
        live.push_back(std::move(s));
  }
  for (auto& s : live)
    asio::post(s->executor(), [s] { s->on_drain(); });
}

bool http_server::wait_drained(std::chrono::milliseconds deadline) {
  auto& d = *impl_;
  std::unique_lock lock{d.sessions_mutex};
  return d.sessions_closed.wait_for(lock, deadline, [&d] { return d.sessions.empty(); });
}

void http_server::stop() {
  auto& d = *impl_;
  d.work.clear();
  for (auto& ctx : d.contexts)
    ctx->stop();
  for (auto& t : d.threads)
    if (t.joinable())
      t.join();
  d.threads.clear();
}

std::size_t http_server::connections() const noexcept {
  std::lock_guard guard{impl_->sessions_mutex};
  return impl_->sessions.size();
}

} // namespace nzl::net
