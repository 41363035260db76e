// A WebSocket connection over Beast: the transport of one session. After
// Beast's websocket server examples (do_x/on_x, one end path), on the io
// thread of the HTTP connection it came from (no strand needed). Memory per
// idle connection is kept small on purpose (docs/websocket.md): reads go
// into a 512-byte array and are assembled into a string only while a
// message is incomplete; the websocket stream's own read buffer is Beast's
// fixed 4 KiB; there is no per-connection write buffer (permessage-deflate is
// off), writes send the shared message text and a 32-byte suffix.
// Invariants: at most one read and one write in flight; a close waits for the
// write in flight; Beast pings after ping_interval of silence and closes the
// connection when another interval passes without a pong.
// Wake-ups (the session has something to write) cost little, since every
// message sent passes through one: on the connection's own io thread (a pong,
// an inline task's result, a publisher's local subscribers) the write starts
// at once; from another thread (an executor's result, a publish on the other
// io thread) the connection joins its io_context's wake_list, and one posted
// drain per io_context writes for every connection woken meanwhile. The
// memory of a write's operations comes from a per-thread block pool
// (internal/block_pool.hpp), so a fan-out's thousands of writes in flight
// do not each cost a malloc and a free.
#include "net/ws/internal/connection.hpp"

#include "core/log.hpp"
#include "net/ws/hub.hpp"
#include "net/ws/internal/block_pool.hpp"
#include "net/ws/internal/wake_list.hpp"
#include "net/ws/session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <array>
#include <charconv>
#include <optional>

namespace nzl::net::ws::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using namespace std::chrono;

namespace {

// What an io_context's drain does with a woken connection.
class pumpable {
public:
  virtual ~pumpable() = default;
  virtual void pump() = 0;
};

// One per io_context (an asio service, so it lives and dies with the
// context): the connections woken from other threads, drained by one posted
// handler at a time.
class wake_service final : public asio::execution_context::service {
public:
  using key_type = wake_service;
  static inline asio::execution_context::id id;

  explicit wake_service(asio::execution_context& ctx) : asio::execution_context::service(ctx) {}

  /// Any thread: `c` is pumped on `ex` (an executor of this service's context).
  void wake(const asio::any_io_executor& ex, std::shared_ptr<pumpable> c) {
    if (list_.add(std::move(c)))
      asio::post(ex, [this] { drain(); });
  }

private:
  void shutdown() override {
    list_.take(draining_);
    draining_.clear();
  }

  // On the context's thread only (draining_ is its scratch list).
  void drain() {
    list_.take(draining_);
    for (auto& c : draining_)
      c->pump();
    draining_.clear();
  }

  wake_list<pumpable> list_;
  std::vector<std::shared_ptr<pumpable>> draining_;
};

// This io thread's pool for the memory of write operations (one block per
// write in flight: Beast's and Asio's operations for one message, over 1 KiB
// with Asio's 64-buffer gather array). At most 2,048 blocks of 2 KiB (4 MiB)
// stay behind per io thread after a burst; writes beyond that many in flight
// use the heap as before.
block_pool& write_pool() {
  thread_local block_pool pool{2048};
  return pool;
}

// The allocator a write's completion handler carries: Beast and Asio
// allocate the write's operations (the socket send, the completion) with it.
template <class T> class pooled_allocator {
public:
  using value_type = T;
  pooled_allocator() noexcept = default;
  template <class U> pooled_allocator(const pooled_allocator<U>&) noexcept {}
  [[nodiscard]] T* allocate(std::size_t n) {
    return static_cast<T*>(write_pool().allocate(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { write_pool().deallocate(p, n * sizeof(T)); }
  friend bool operator==(const pooled_allocator&, const pooled_allocator&) noexcept { return true; }
  friend bool operator!=(const pooled_allocator&, const pooled_allocator&) noexcept {
    return false;
  }
};

template <class Stream>
class ws_connection final : public connection,
                            public drainable,
                            public pumpable,
                            public std::enable_shared_from_this<ws_connection<Stream>> {
public:
  ws_connection(Stream&& stream, ws_hub& hub, ws_grant grant, std::shared_ptr<void> keep)
      : ws_(std::move(stream)), hub_(hub), grant_(std::move(grant)), keep_(std::move(keep)) {
    auto ex = ws_.get_executor();
    wakes_ = &asio::use_service<wake_service>(asio::query(ex, asio::execution::context));
    // The server runs one io_context per io thread; another executor (none
    // today) only loses the direct write on the own thread.
    using io_executor = asio::io_context::executor_type;
    if (auto* io = ex.template target<io_executor>())
      io_ = &io->context();
  }

  void run(upgrade_request&& request) {
    // Held until the handshake completes, then freed.
    request_ = std::make_unique<upgrade_request>(std::move(request));
    const auto& o = hub_.options();
    websocket::stream_base::timeout t{};
    t.handshake_timeout = milliseconds(o.handshake_timeout_ms);
    // Beast pings after half the idle timeout and closes after the whole.
    t.idle_timeout = milliseconds(2ull * o.ping_interval_ms);
    t.keep_alive_pings = true;
    ws_.set_option(t);
    // The size limit is ours (on_read), not Beast's: Beast fails an
    // oversized message by sending 1009 and closing the socket after one
    // read, so a client still writing its message gets a reset (and may
    // never read the close frame). We close with 1009 and drain instead.
    ws_.read_message_max(0);
    ws_.auto_fragment(false);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "noizylab"); }));
    ws_.async_accept(*request_, [self = this->shared_from_this()](beast::error_code ec) {
      self->on_accept(ec);
    });
  }

  // connection (session side)
  void wake() override {
    // On the own thread nothing else runs on this connection now: write at
    // once instead of posting (the caller holds no lock of the session).
    if (io_ && io_->get_executor().running_in_this_thread())
      return pump();
    wakes_->wake(ws_.get_executor(), this->shared_from_this());
  }

  void close(std::uint16_t code, std::string reason, bool flush) override {
    asio::post(ws_.get_executor(),
               [self = this->shared_from_this(), code, reason = std::move(reason),
                flush]() mutable { self->begin_close(code, std::move(reason), flush); });
  }

  void adopt(std::shared_ptr<session> s) override { session_ = std::move(s); }

  // drainable (server side)
  void drain() override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
      self->begin_close(close_going_away, "server shutting down", true);
    });
  }

private:
  void on_accept(beast::error_code ec) {
    request_.reset();
    if (ec) {
      log::emit(log::level::debug, "ws_handshake_failed", R"("error":{})",
                log::quote(ec.message()));
      return;
    }
    session_ = hub_.open(std::move(grant_));
    session_->attach(this->shared_from_this());
    session_->welcome();
    log::emit(log::level::debug, "ws_open", R"("session":{},"client":{})",
              log::quote(session_->id()), log::quote(session_->grant().client));
    do_read();
  }

  void do_read() {
    ws_.async_read_some(asio::buffer(rd_),
                        [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                          self->on_read(ec, n);
                        });
  }

  void on_read(beast::error_code ec, std::size_t n) {
    if (ec)
      return end(ec);
    // Once closing, input is drained and dropped until the peer's close
    // frame ends the read (bounded by the close guard).
    if (close_code_)
      return do_read();
    if (msg_.size() + n > hub_.options().max_message_bytes) {
      log::emit(log::level::debug, "ws_message_too_big", R"("session":{})",
                log::quote(session_->id()));
      std::string{}.swap(msg_);
      begin_close(close_too_big, "message too big", false);
      return do_read();
    }
    if (!ws_.is_message_done()) {
      msg_.append(rd_.data(), n);
      return do_read();
    }
    auto s = session_; // a resume replaces session_ during on_text
    if (msg_.empty()) {
      // The whole message fitted in one read: no copy.
      if (ws_.got_text())
        s->on_text(std::string_view{rd_.data(), n});
      else
        s->on_binary();
    } else {
      msg_.append(rd_.data(), n);
      if (ws_.got_text())
        s->on_text(msg_);
      else
        s->on_binary();
      msg_.clear();
      if (msg_.capacity() > 4096)
        std::string{}.swap(msg_); // a big message does not pin its memory
    }
    do_read();
  }

  void pump() override {
    if (!may_write())
      return;
    if (close_code_ && !flush_)
      return send_close();
    write(session_->take_next());
  }

  [[nodiscard]] bool may_write() const noexcept {
    return !writing_ && !ended_ && !closing_sent_ && session_;
  }

  void write(std::optional<outgoing> next) {
    if (!next) {
      if (close_code_)
        send_close();
      return;
    }
    writing_ = true;
    writing_from_ = session_;
    current_ = std::move(*next);
    static constexpr std::string_view key = ",\"msg_seq\":";
    std::copy(key.begin(), key.end(), suffix_.begin());
    auto end = std::to_chars(suffix_.data() + key.size(), suffix_.data() + suffix_.size() - 1,
                             current_.seq)
                   .ptr;
    *end++ = '}';
    std::array<asio::const_buffer, 2> frame{
        asio::buffer(*current_.body),
        asio::buffer(suffix_.data(), static_cast<std::size_t>(end - suffix_.data()))};
    ws_.text(true);
    ws_.async_write(frame, write_done{this->shared_from_this()});
  }

  // The completion of a message write (a named type: it carries the pool's
  // allocator, which a lambda cannot in Asio 1.74).
  struct write_done {
    std::shared_ptr<ws_connection> self;
    using allocator_type = pooled_allocator<void>;
    [[nodiscard]] allocator_type get_allocator() const noexcept { return {}; }
    void operator()(beast::error_code ec, std::size_t) const { self->on_write(ec); }
  };

  void on_write(beast::error_code ec) {
    writing_ = false;
    current_ = {};
    if (ec)
      return end(ec);
    auto from = std::move(writing_from_);
    if (from == session_ && may_write() && !(close_code_ && !flush_))
      return write(session_->mark_sent_take_next()); // one lock for both
    from->mark_sent();
    pump();
  }

  void begin_close(std::uint16_t code, std::string reason, bool flush) {
    if (ended_ || close_code_)
      return;
    close_code_ = code;
    close_reason_ = std::move(reason);
    flush_ = flush;
    // A client that does not read can stall the write in flight (and the
    // close frame) forever: the socket is closed after a grace period.
    guard_.emplace(ws_.get_executor());
    guard_->expires_after(seconds(5));
    guard_->async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec && !self->ended_) {
        beast::error_code ignored;
        beast::get_lowest_layer(self->ws_).socket().close(ignored);
      }
    });
    pump();
  }

  void send_close() {
    closing_sent_ = true;
    websocket::close_reason why{static_cast<websocket::close_code>(*close_code_)};
    why.reason = close_reason_;
    ws_.async_close(why, [self = this->shared_from_this()](beast::error_code) {
      // The peer's close frame ends the read loop; nothing else to do.
    });
  }

  void end(beast::error_code) {
    if (ended_)
      return;
    ended_ = true;
    if (guard_)
      guard_->cancel();
    if (session_)
      hub_.closed(session_, this);
  }

  websocket::stream<Stream> ws_;
  ws_hub& hub_;
  ws_grant grant_;
  std::shared_ptr<void> keep_;
  std::unique_ptr<upgrade_request> request_;
  std::shared_ptr<session> session_;
  std::shared_ptr<session> writing_from_;
  outgoing current_;
  std::string msg_;
  std::optional<std::uint16_t> close_code_;
  std::string close_reason_;
  std::optional<asio::steady_timer> guard_;
  wake_service* wakes_ = nullptr;
  asio::io_context* io_ = nullptr;
  bool writing_ = false;
  bool ended_ = false;
  bool flush_ = false;
  bool closing_sent_ = false;
  std::array<char, 32> suffix_{};
  std::array<char, 512> rd_{};
};

template <class Stream>
std::shared_ptr<drainable> start_any(Stream&& stream, upgrade_request&& request, ws_hub& hub,
                                     ws_grant grant, std::shared_ptr<void> keep) {
  auto c = std::make_shared<ws_connection<Stream>>(std::move(stream), hub, std::move(grant),
                                                   std::move(keep));
  c->run(std::move(request));
  return c;
}

} // namespace

std::shared_ptr<drainable> start(beast::tcp_stream&& stream, upgrade_request&& request, ws_hub& hub,
                                 ws_grant grant, std::shared_ptr<void> keep) {
  return start_any(std::move(stream), std::move(request), hub, std::move(grant), std::move(keep));
}

std::shared_ptr<drainable> start(beast::ssl_stream<beast::tcp_stream>&& stream,
                                 upgrade_request&& request, ws_hub& hub, ws_grant grant,
                                 std::shared_ptr<void> keep) {
  return start_any(std::move(stream), std::move(request), hub, std::move(grant), std::move(keep));
}

} // namespace nzl::net::ws::internal
