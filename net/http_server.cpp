// The HTTP server, after Beast's advanced server (do_x/on_x pairs, one fail
// path), with one io_context per io thread: each connection lives on one
// context, so its handlers are serialised without a strand. Invariants:
// - every async operation of a session runs with a deadline (head: idle
//   timeout, body: read timeout, response: write timeout);
// - a session holds at most one request; the api's answer is posted back to
//   the session's io_context (one thread), so no lock guards session state;
// - at most max_connections sessions exist; a connection beyond that gets a
//   503 problem (while few are being refused) or is closed at once;
// - drain closes the acceptor and idle sessions; busy sessions finish their
//   request and close after the response.
#include "net/http_server.hpp"

#include "core/ids.hpp"
#include "core/log.hpp"
#include "net/api.hpp"
#include "net/router.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace nzl::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
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
         ec == asio::error::broken_pipe || ec == beast::error::timeout;
}

} // namespace

struct http_server::impl {
  impl(server_options opts, api& handler)
      : options(std::move(opts)), api_(handler), contexts(make_contexts(options.io_threads)),
        acceptor(contexts.front()->get_executor()) {}

  class session;
  class rejecter;

  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void unregister_session(std::uint64_t id);

  server_options options;
  api& api_;
  // Guards `sessions` only; taken once per connection open and close, never
  // per request. Declared before `contexts` so that sessions destroyed with the
  // io_context can still unregister.
  mutable std::mutex sessions_mutex;
  std::condition_variable sessions_closed;
  std::unordered_map<std::uint64_t, std::weak_ptr<session>> sessions;
  std::uint64_t next_session_id = 0;
  std::atomic<bool> draining{false};
  std::atomic<std::size_t> rejecting{0};

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
  asio::steady_timer accept_retry{acceptor.get_executor()};
  std::vector<std::thread> threads;
};

// Answers one request-less 503 to a connection over the limit, then closes.
class http_server::impl::rejecter : public std::enable_shared_from_this<rejecter> {
public:
  rejecter(impl& server, tcp::socket&& socket) : server_(server), stream_(std::move(socket)) {}

  void run() {
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
    stream_.expires_after(milliseconds(server_.options.write_timeout_ms));
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code, std::size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      self->server_.rejecting.fetch_sub(1);
    });
  }

private:
  impl& server_;
  beast::tcp_stream stream_;
  http::response<http::string_body> res_;
};

class http_server::impl::session : public std::enable_shared_from_this<session> {
public:
  session(impl& server, tcp::socket&& socket, std::uint64_t id)
      : server_(server), stream_(std::move(socket)), id_(id) {}

  ~session() { server_.unregister_session(id_); }

  void run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read_head(); });
  }

  // Called on the session's io_context when the server starts draining.
  void on_drain() {
    draining_ = true;
    if (!busy_ && !(parser_ && parser_->got_some()))
      close();
  }

  boost::asio::any_io_executor executor() { return stream_.get_executor(); }

private:
  void do_read_head() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    stream_.expires_after(milliseconds(server_.options.idle_timeout_ms));
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&session::on_read_head, shared_from_this()));
  }

  void on_read_head(beast::error_code ec, std::size_t) {
    if (ec)
      return on_read_error(ec);
    started_ = steady_clock::now();
    if (parser_->is_done())
      return dispatch_request();
    stream_.expires_after(milliseconds(server_.options.read_timeout_ms));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&session::on_read_body, shared_from_this()));
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
    http_request req;
    req.method = method_of(msg.method());
    req.target = std::string{msg.target()};
    if (auto ct = msg.find(http::field::content_type); ct != msg.end())
      req.content_type = std::string{ct->value()};
    req.body = std::move(msg.body());
    if (auto key = msg.find("Idempotency-Key"); key != msg.end())
      req.idempotency_key = std::string{key->value()};
    auto client_id = msg["X-Request-Id"];
    req.request_id = is_sane_request_id(client_id) ? std::string{client_id} : new_request_id();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    method_ = req.method;
    path_ = std::string{path_of(req.target)};
    request_id_ = req.request_id;
    server_.api_.handle(std::move(req), [self = shared_from_this()](http_response res) {
      // May run on any thread; dispatch runs inline when already on the
      // session's io thread (inline tasks), otherwise it queues onto it.
      auto ex = self->stream_.get_executor();
      asio::dispatch(ex, [self = std::move(self), res = std::move(res)]() mutable {
        self->write(std::move(res));
      });
    });
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
    stream_.expires_after(milliseconds(server_.options.write_timeout_ms));
    http::async_write(stream_, res_,
                      beast::bind_front_handler(&session::on_write, shared_from_this()));
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
  // still sending a refused body sees our response instead of a reset.
  void shutdown_send() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(milliseconds(500));
    linger_left_ = 256 * 1024;
    do_linger();
  }

  void do_linger() {
    stream_.async_read_some(asio::buffer(linger_buf_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec || n >= self->linger_left_)
                                return self->close();
                              self->linger_left_ -= n;
                              self->do_linger();
                            });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  impl& server_;
  beast::tcp_stream stream_;
  std::uint64_t id_;
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
  std::size_t linger_left_ = 0;
  std::array<char, 4096> linger_buf_{};
  steady_clock::time_point started_{};
};

void http_server::impl::do_accept() {
  acceptor.async_accept(next_context(), [this](beast::error_code ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
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
  std::shared_ptr<session> s;
  {
    std::lock_guard guard{sessions_mutex};
    if (sessions.size() < options.max_connections) {
      auto id = next_session_id++;
      s = std::make_shared<session>(*this, std::move(socket), id);
      sessions.emplace(id, s);
    }
  }
  if (s) {
    s->run();
  } else if (rejecting.fetch_add(1) < 64) {
    std::make_shared<rejecter>(*this, std::move(socket))->run();
  } else {
    rejecting.fetch_sub(1);
    socket.close(ignored);
  }
  do_accept();
}

void http_server::impl::unregister_session(std::uint64_t id) {
  std::lock_guard guard{sessions_mutex};
  sessions.erase(id);
  if (sessions.empty())
    sessions_closed.notify_all();
}

http_server::http_server(server_options options, api& handler)
    : impl_(std::make_unique<impl>(std::move(options), handler)) {}

http_server::~http_server() {
  stop();
}

result<std::uint16_t> http_server::start() {
  auto& d = *impl_;
  beast::error_code ec;
  auto address = asio::ip::make_address(d.options.host, ec);
  if (ec)
    return fail(errc::invalid_field, "http host '" + d.options.host + "' is not an IP address");
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
  std::vector<std::shared_ptr<impl::session>> live;
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
