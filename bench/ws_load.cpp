// ws_load: the WebSocket load client of bench/run-ws (issue 6). One process,
// Beast WebSocket clients on one io_context per thread, every connection
// authenticated with the bench key in its Authorization header.
//
//   ws_load --port P --key K --mode ping|echo --connections C --seconds S [--threads T]
//       closed loop: each connection sends a ping (or an echo task) and waits
//       for its pong (or result) before the next; prints round trips/s, p50/p99.
//   ws_load --port P --key K --mode idle --connections N --node-pid PID
//       opens N connections (each past its welcome, a read pending) and prints
//       the node's resident memory (/proc/PID/status) before, at N/2 and at N.
//   ws_load --port P --key K --mode fanout --connections N --rounds R [--threads T]
//           [--node-pid PID]
//       N connections subscribe to one channel, one more publishes R events one
//       at a time; per event, the time from the publish being sent to the last
//       subscriber receiving it. The subscribers are read by T threads (one
//       io_context each); every receive time is read on the receiving thread
//       from the one steady clock of the process, so "last" is exact whatever
//       thread had it.
//
// Prints one JSON line. Opening is paced (at most --opening handshakes in
// flight) so the listen backlog never overflows.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <unistd.h>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

struct options {
  std::uint16_t port = 8081;
  std::string key;
  std::string mode = "ping";
  int connections = 64;
  int seconds = 10;
  int threads = 1;
  int rounds = 20;
  int opening = 64;
  long node_pid = 0;
};

// The node's memory from /proc/PID/status, in KiB (0 when unreadable).
struct rss_sample {
  long vm_rss_kib = 0;
  long rss_anon_kib = 0;
};

rss_sample read_rss(long pid) {
  rss_sample s;
  if (pid <= 0)
    return s;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0)
      s.vm_rss_kib = std::stol(line.substr(6));
    else if (line.rfind("RssAnon:", 0) == 0)
      s.rss_anon_kib = std::stol(line.substr(8));
  }
  return s;
}

// The node's CPU time (utime + stime from /proc/PID/stat) in clock ticks,
// or -1 when unreadable.
long read_cpu_ticks(long pid) {
  if (pid <= 0)
    return -1;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line))
    return -1;
  // Fields after the command name, which is in parentheses and may hold spaces.
  auto close = line.rfind(')');
  if (close == std::string::npos)
    return -1;
  std::istringstream fields(line.substr(close + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14)
      utime = std::stol(field);
    else if (i == 15)
      stime = std::stol(field);
  }
  return utime + stime;
}

class client;

// What a mode does with a connection's events.
class driver {
public:
  virtual ~driver() = default;
  virtual void opened(client& c) = 0;
  virtual void message(client& c, std::string_view text) = 0;
  virtual void failed(client& c, beast::error_code ec, const char* what) = 0;
};

// One WebSocket connection: connect, handshake, welcome, then a read loop
// that hands every message to the driver; writes are queued one at a time.
class client : public std::enable_shared_from_this<client> {
public:
  client(asio::io_context& io, const options& o, driver& d, int id, int lane = 0)
      : ws_(io), opts_(o), driver_(d), id_(id), lane_(lane) {}

  [[nodiscard]] int id() const noexcept { return id_; }
  /// The client thread (io_context) this connection runs on.
  [[nodiscard]] int lane() const noexcept { return lane_; }

  void start() {
    beast::get_lowest_layer(ws_).async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), opts_.port),
        [self = shared_from_this()](beast::error_code ec) { self->on_connect(ec); });
  }

  // Sends `text` (kept until written); at most one write in flight.
  void send(std::string text) {
    pending_.push_back(std::move(text));
    if (pending_.size() == 1)
      do_write();
  }

  void close() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

private:
  void on_connect(beast::error_code ec) {
    if (ec)
      return driver_.failed(*this, ec, "connect");
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true));
    ws_.set_option(
        websocket::stream_base::decorator([key = opts_.key](websocket::request_type& req) {
          req.set(beast::http::field::authorization, "Bearer " + key);
        }));
    ws_.auto_fragment(false);
    ws_.read_message_max(16 * 1024 * 1024);
    ws_.async_handshake("127.0.0.1", "/v3/ws", [self = shared_from_this()](beast::error_code e) {
      self->on_handshake(e);
    });
  }

  void on_handshake(beast::error_code ec) {
    if (ec)
      return driver_.failed(*this, ec, "handshake");
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code e, std::size_t) {
      if (e)
        return self->driver_.failed(*self, e, "welcome");
      self->buf_.consume(self->buf_.size());
      self->do_read();
      self->driver_.opened(*self);
    });
  }

  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec)
      return driver_.failed(*this, ec, "read");
    auto data = buf_.cdata();
    driver_.message(*this, std::string_view{static_cast<const char*>(data.data()), data.size()});
    buf_.consume(buf_.size());
    do_read();
  }

  void do_write() {
    ws_.text(true);
    ws_.async_write(asio::buffer(pending_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec)
                        return self->driver_.failed(*self, ec, "write");
                      self->pending_.erase(self->pending_.begin());
                      if (!self->pending_.empty())
                        self->do_write();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  const options& opts_;
  driver& driver_;
  int id_;
  int lane_;
  beast::flat_buffer buf_;
  std::vector<std::string> pending_;
};

bool has_type(std::string_view text, std::string_view type) {
  // The node's JSON has no spaces: "type":"<type>" appears verbatim.
  std::string needle = "\"type\":\"";
  needle += type;
  needle += '"';
  return text.find(needle) != std::string_view::npos;
}

// Opens connections on one io_context, at most `opening` handshakes at once.
class opener {
public:
  opener(asio::io_context& io, const options& o, driver& d, std::vector<int> ids, int lane = 0)
      : io_(io), opts_(o), driver_(d), ids_(std::move(ids)), lane_(lane) {}

  void begin() {
    for (int i = 0; i < opts_.opening; ++i)
      next();
  }
  // One handshake finished (or failed): start another.
  void next() {
    if (started_ >= ids_.size())
      return;
    auto c = std::make_shared<client>(io_, opts_, driver_, ids_[started_++], lane_);
    clients_.push_back(c);
    c->start();
  }
  std::vector<std::shared_ptr<client>>& clients() { return clients_; }

private:
  asio::io_context& io_;
  const options& opts_;
  driver& driver_;
  std::vector<int> ids_;
  int lane_;
  std::size_t started_ = 0;
  std::vector<std::shared_ptr<client>> clients_;
};

// --mode ping|echo: closed-loop round trips.
class round_trips final : public driver {
public:
  round_trips(const options& o, clock_type::time_point end) : opts_(o), end_(end) {}

  void opened(client& c) override {
    ++open_;
    if (opener_)
      opener_->next();
    send(c);
  }
  void message(client& c, std::string_view text) override {
    const bool echo = opts_.mode == "echo";
    if (has_type(text, "error"))
      ++errors_;
    else if (!has_type(text, echo ? "result" : "pong"))
      return; // progress or a notice: the answer is still to come
    ++done_;
    auto now = clock_type::now();
    if ((done_ & 15) == 0) // a sample of 1 in 16 keeps the vector small
      latency_us_.push_back(static_cast<std::uint32_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(now - sent_[c.id()]).count()));
    send(c);
  }
  void failed(client& c, beast::error_code ec, const char* what) override {
    if (stopped_)
      return; // closed by stop_all
    ++failures_;
    if (failures_ <= 3)
      std::cerr << "ws_load: connection " << c.id() << " " << what << ": " << ec.message() << '\n';
    if (opener_)
      opener_->next();
  }

  void attach(opener& o, int connections) {
    opener_ = &o;
    sent_.resize(static_cast<std::size_t>(connections) + 1);
  }
  void stop_all() {
    stopped_ = true;
    for (auto& c : opener_->clients())
      c->close();
  }

  std::uint64_t done_ = 0;
  std::uint64_t errors_ = 0;
  std::uint64_t failures_ = 0;
  int open_ = 0;
  std::vector<std::uint32_t> latency_us_;

private:
  void send(client& c) {
    auto now = clock_type::now();
    if (now >= end_)
      return;
    sent_[c.id()] = now;
    auto n = std::to_string(++counter_);
    if (opts_.mode == "echo")
      c.send(R"({"type":"task","id":)" + n +
             R"(,"task":{"type":"echo","payload":{"hello":"world"}}})");
    else
      c.send(R"({"type":"ping","id":)" + n + "}");
  }

  const options& opts_;
  clock_type::time_point end_;
  opener* opener_ = nullptr;
  std::vector<clock_type::time_point> sent_;
  std::uint64_t counter_ = 0;
  bool stopped_ = false;
};

int run_round_trips(const options& o) {
  const auto start = clock_type::now();
  const auto end = start + std::chrono::seconds(o.seconds);
  struct per_thread {
    std::unique_ptr<round_trips> d;
  };
  std::vector<per_thread> parts(static_cast<std::size_t>(o.threads));
  std::vector<std::thread> threads;
  for (int t = 0; t < o.threads; ++t) {
    auto& part = parts[static_cast<std::size_t>(t)];
    part.d = std::make_unique<round_trips>(o, end);
    threads.emplace_back([&o, &part, t, end] {
      asio::io_context io;
      std::vector<int> ids;
      for (int c = t; c < o.connections; c += o.threads)
        ids.push_back(c);
      opener op{io, o, *part.d, ids};
      part.d->attach(op, o.connections);
      op.begin();
      // After the deadline every connection is closed, so run() returns.
      asio::steady_timer stop{io, end + std::chrono::milliseconds(200)};
      stop.async_wait([&](beast::error_code) { part.d->stop_all(); });
      io.run();
    });
  }
  for (auto& t : threads)
    t.join();
  const double elapsed = o.seconds;
  std::uint64_t done = 0, errors = 0, failures = 0;
  std::vector<std::uint32_t> lat;
  for (auto& p : parts) {
    done += p.d->done_;
    errors += p.d->errors_;
    failures += p.d->failures_;
    lat.insert(lat.end(), p.d->latency_us_.begin(), p.d->latency_us_.end());
  }
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) {
    return lat.empty() ? 0.0 : lat[static_cast<std::size_t>(p * (lat.size() - 1))] / 1000.0;
  };
  std::printf("{\"mode\":\"%s\",\"connections\":%d,\"threads\":%d,\"round_trips\":%llu,"
              "\"errors\":%llu,\"failed_connections\":%llu,\"round_trips_per_s\":%.0f,"
              "\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
              o.mode.c_str(), o.connections, o.threads, static_cast<unsigned long long>(done),
              static_cast<unsigned long long>(errors), static_cast<unsigned long long>(failures),
              done / elapsed, pct(0.5), pct(0.99));
  return failures == 0 ? 0 : 1;
}

// --mode idle and --mode fanout: N connections spread over --threads io
// threads (one io_context each, connection i on thread i % T; the publisher
// and the run's timers on thread 0). Several threads read the subscribers'
// sockets so that the client is not what the fan-out waits for; the counts
// are atomics, and the time a subscriber has an event is read on the thread
// that received it from the one steady clock every thread shares.
class crowd final : public driver {
public:
  crowd(const options& o, std::vector<asio::io_context*> lanes)
      : opts_(o), lanes_(std::move(lanes)), openers_(lanes_.size(), nullptr) {}

  void opened(client& c) override {
    open_.fetch_add(1);
    if (opts_.mode == "fanout" && c.id() < opts_.connections)
      c.send(R"({"type":"subscribe","channel":"bench.fanout"})");
    else
      check_ready();
    openers_[c.lane()]->next();
  }
  void message(client& c, std::string_view text) override {
    if (c.id() == opts_.connections)
      return; // the publisher's "published" answers
    if (has_type(text, "subscribed")) {
      subscribed_.fetch_add(1);
      return check_ready();
    }
    if (has_type(text, "event")) {
      // Read before counting: the thread that counts the last subscriber
      // reads the clock after every other subscriber has counted (and so
      // after every other receive time).
      const auto now = clock_type::now().time_since_epoch().count();
      const auto n = received_.fetch_add(1) + 1;
      if (n == 1)
        first_ns_.store(now);
      if (n == static_cast<std::uint64_t>(opts_.connections)) {
        last_ns_ = now;
        asio::post(*lanes_.front(), [this] { round_done(); });
      }
    }
  }
  void failed(client& c, beast::error_code ec, const char* what) override {
    if (done_.load())
      return; // closed at the end
    if (failures_.fetch_add(1) < 3)
      std::cerr << "ws_load: connection " << c.id() << " " << what << ": " << ec.message() << '\n';
    openers_[c.lane()]->next();
  }
  // On thread 0: ends the run; every thread closes its connections, so each
  // io.run() returns.
  void finish() {
    done_.store(true);
    for (std::size_t i = 0; i < lanes_.size(); ++i)
      asio::post(*lanes_[i], [o = openers_[i]] {
        for (auto& c : o->clients())
          c->close();
      });
    if (on_done)
      on_done();
  }
  std::function<void()> on_done; ///< cancels the caller's timers (thread 0)

  /// Before the threads run: the opener of thread `lane`, and what thread 0
  /// does once every connection is open (and subscribed).
  void attach(std::size_t lane, opener& o) { openers_[lane] = &o; }
  void when_ready(std::function<void()> on_ready) { on_ready_ = std::move(on_ready); }
  void publish_from(client* publisher) { publisher_ = publisher; }

  // On thread 0: the next publish, or the end after the last round.
  void next_round() {
    received_.store(0);
    first_ns_.store(0);
    if (last_ms_.empty()) {
      cpu_first_ = read_cpu_ticks(opts_.node_pid);
      own_cpu_first_ = read_cpu_ticks(getpid());
    }
    if (static_cast<int>(last_ms_.size()) >= opts_.rounds) {
      cpu_last_ = read_cpu_ticks(opts_.node_pid);
      own_cpu_last_ = read_cpu_ticks(getpid());
      return finish();
    }
    // Rounds are apart: the next event goes out once every subscriber has
    // the previous one.
    published_ns_ = clock_type::now().time_since_epoch().count();
    publisher_->send(R"({"type":"publish","channel":"bench.fanout","data":{"round":)" +
                     std::to_string(last_ms_.size()) + "}}");
  }

  std::atomic<int> open_{0};
  std::atomic<int> subscribed_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<bool> done_{false};
  std::vector<double> last_ms_;  ///< thread 0 only
  std::vector<double> first_ms_; ///< thread 0 only
  long cpu_first_ = -1;          ///< the node's CPU ticks when the first publish goes out
  long cpu_last_ = -1;           ///< and when the last event of the last round arrived
  long own_cpu_first_ = -1;      ///< the same two readings for this client process
  long own_cpu_last_ = -1;

private:
  // On thread 0, posted by the thread that received the round's last event
  // (the post orders last_ns_ before this read).
  void round_done() {
    std::int64_t first = 0;
    // The first receiver stores its time right after counting; it may not
    // have yet (preempted in between): wait for it.
    while ((first = first_ns_.load()) == 0)
      std::this_thread::yield();
    last_ms_.push_back(static_cast<double>(last_ns_ - published_ns_) / 1e6);
    first_ms_.push_back(static_cast<double>(first - published_ns_) / 1e6);
    next_round();
  }
  void check_ready() {
    const int wanted = opts_.connections + (opts_.mode == "fanout" ? 1 : 0);
    const bool subs_ok = opts_.mode != "fanout" || subscribed_.load() == opts_.connections;
    if (open_.load() == wanted && subs_ok && !ready_.exchange(true))
      asio::post(*lanes_.front(), [this] { on_ready_(); });
  }

  const options& opts_;
  std::vector<asio::io_context*> lanes_;
  std::vector<opener*> openers_;
  std::function<void()> on_ready_;
  std::atomic<bool> ready_{false};
  client* publisher_ = nullptr;
  std::atomic<std::uint64_t> received_{0};
  std::atomic<std::int64_t> first_ns_{0}; // steady clock, ns; 0: none yet this round
  std::int64_t last_ns_ = 0;              // written by the last receiver, read on thread 0
  std::int64_t published_ns_ = 0;         // thread 0 only
};

int run_crowd(const options& o) {
  const bool fanout = o.mode == "fanout";
  const auto lanes = static_cast<std::size_t>(o.threads);
  std::vector<std::unique_ptr<asio::io_context>> ios;
  std::vector<asio::io_context*> lane_ptrs;
  for (std::size_t i = 0; i < lanes; ++i) {
    ios.push_back(std::make_unique<asio::io_context>(1));
    lane_ptrs.push_back(ios.back().get());
  }
  auto& io = *ios.front();
  crowd d{o, lane_ptrs};
  // 0..N-1 subscribers (fanout) on thread i % T, N the publisher on thread 0.
  std::vector<std::vector<int>> ids(lanes);
  for (int c = 0; c < o.connections; ++c)
    ids[static_cast<std::size_t>(c) % lanes].push_back(c);
  if (fanout)
    ids.front().push_back(o.connections);
  options per_lane = o;
  per_lane.opening = std::max(1, o.opening / o.threads);
  std::vector<std::unique_ptr<opener>> openers;
  for (std::size_t i = 0; i < lanes; ++i) {
    openers.push_back(std::make_unique<opener>(*ios[i], per_lane, d, ids[i], static_cast<int>(i)));
    d.attach(i, *openers.back());
  }
  auto before = read_rss(o.node_pid);
  rss_sample half;
  bool half_taken = false;
  const auto opening_started = clock_type::now();
  double open_s = 0;
  asio::steady_timer timer{io};
  asio::steady_timer watch_timer{io};
  // A bound on the whole run: a connection that failed is not replaced.
  asio::steady_timer bound{io, std::chrono::minutes(5)};
  d.on_done = [&] {
    bound.cancel();
    timer.cancel();
    watch_timer.cancel();
  };
  bound.async_wait([&](beast::error_code ec) {
    if (!ec && !d.done_.load()) {
      std::cerr << "ws_load: gave up after 5 minutes\n";
      d.finish();
    }
  });
  // Samples the node's memory halfway (for the slope without one-time costs).
  std::function<void()> watch = [&] {
    if (!half_taken && d.open_.load() >= o.connections / 2) {
      half = read_rss(o.node_pid);
      half_taken = true;
      return;
    }
    watch_timer.expires_after(std::chrono::milliseconds(5));
    watch_timer.async_wait([&](beast::error_code ec) {
      if (!ec)
        watch();
    });
  };
  watch();
  rss_sample after;
  d.when_ready([&] {
    open_s = std::chrono::duration<double>(clock_type::now() - opening_started).count();
    if (fanout) {
      d.publish_from(openers.front()->clients().back().get());
      d.next_round();
      return;
    }
    // Let the node settle (freed handshake buffers, audit commits), then sample.
    timer.expires_after(std::chrono::seconds(2));
    timer.async_wait([&](beast::error_code) {
      after = read_rss(o.node_pid);
      d.finish();
    });
  });
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < lanes; ++i)
    threads.emplace_back([&, i] {
      openers[i]->begin();
      ios[i]->run();
    });
  openers.front()->begin();
  io.run();
  for (auto& t : threads)
    t.join();
  const auto failures = d.failures_.load();
  if (fanout) {
    auto last = d.last_ms_;
    std::sort(last.begin(), last.end());
    auto first = d.first_ms_;
    std::sort(first.begin(), first.end());
    // The node's CPU over every round (its ticks are 10 ms: 20 rounds or
    // more give a usable figure); -1 without --node-pid.
    double cpu_ms_per_publish = -1;
    if (d.cpu_first_ >= 0 && d.cpu_last_ >= 0 && !last.empty())
      cpu_ms_per_publish = (d.cpu_last_ - d.cpu_first_) * 1000.0 /
                           static_cast<double>(sysconf(_SC_CLK_TCK)) /
                           static_cast<double>(last.size());
    // The client's own CPU over the rounds (all its threads): the machine's
    // cores serve both processes, so the wall time per publish is at least
    // (node + client CPU) / cores.
    double client_cpu_ms_per_publish = -1;
    if (d.own_cpu_first_ >= 0 && d.own_cpu_last_ >= 0 && !last.empty())
      client_cpu_ms_per_publish = (d.own_cpu_last_ - d.own_cpu_first_) * 1000.0 /
                                  static_cast<double>(sysconf(_SC_CLK_TCK)) /
                                  static_cast<double>(last.size());
    auto med = [](const std::vector<double>& v) {
      return v.empty() ? 0.0 : v[v.size() / 2];
    };
    std::printf("{\"mode\":\"fanout\",\"subscribers\":%d,\"threads\":%d,\"rounds\":%zu,"
                "\"open_s\":%.1f,\"last_ms_median\":%.2f,\"last_ms_max\":%.2f,"
                "\"last_ms_min\":%.2f,\"first_ms_median\":%.2f,\"node_cpu_ms_per_publish\":%.2f,"
                "\"client_cpu_ms_per_publish\":%.2f,\"failed_connections\":%llu}\n",
                o.connections, o.threads, last.size(), open_s, med(last),
                last.empty() ? 0.0 : last.back(), last.empty() ? 0.0 : last.front(), med(first),
                cpu_ms_per_publish, client_cpu_ms_per_publish,
                static_cast<unsigned long long>(failures));
    return failures == 0 && static_cast<int>(last.size()) == o.rounds ? 0 : 1;
  }
  const double n = o.connections;
  const double second_half = o.connections - o.connections / 2;
  std::printf("{\"mode\":\"idle\",\"connections\":%d,\"open\":%d,\"open_s\":%.1f,"
              "\"node_vm_rss_kib\":[%ld,%ld,%ld],\"node_rss_anon_kib\":[%ld,%ld,%ld],"
              "\"vm_rss_bytes_per_conn\":%.0f,\"rss_anon_bytes_per_conn\":%.0f,"
              "\"rss_anon_bytes_per_conn_second_half\":%.0f,\"failed_connections\":%llu}\n",
              o.connections, d.open_.load(), open_s, before.vm_rss_kib, half.vm_rss_kib,
              after.vm_rss_kib, before.rss_anon_kib, half.rss_anon_kib, after.rss_anon_kib,
              (after.vm_rss_kib - before.vm_rss_kib) * 1024.0 / n,
              (after.rss_anon_kib - before.rss_anon_kib) * 1024.0 / n,
              (after.rss_anon_kib - half.rss_anon_kib) * 1024.0 / second_half,
              static_cast<unsigned long long>(failures));
  return failures == 0 && d.open_.load() == o.connections ? 0 : 1;
}

bool parse_args(int argc, char** argv, options& o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view name = argv[i];
    std::string value = argv[i + 1];
    if (name == "--port")
      o.port = static_cast<std::uint16_t>(std::stoi(value));
    else if (name == "--key")
      o.key = value;
    else if (name == "--mode")
      o.mode = value;
    else if (name == "--connections")
      o.connections = std::stoi(value);
    else if (name == "--seconds")
      o.seconds = std::stoi(value);
    else if (name == "--threads")
      o.threads = std::stoi(value);
    else if (name == "--rounds")
      o.rounds = std::stoi(value);
    else if (name == "--opening")
      o.opening = std::stoi(value);
    else if (name == "--node-pid")
      o.node_pid = std::stol(value);
    else
      return false;
  }
  const bool known = o.mode == "ping" || o.mode == "echo" || o.mode == "idle" || o.mode == "fanout";
  return known && o.connections > 0 && o.connections <= 60'000 && o.seconds > 0 && o.threads > 0 &&
         o.threads <= 64 && o.rounds > 0 && o.opening > 0;
}

} // namespace

int main(int argc, char** argv) {
  options o;
  if (!parse_args(argc, argv, o)) {
    std::cerr << "usage: ws_load --port P --key K --mode ping|echo|idle|fanout "
                 "[--connections N] [--seconds S] [--threads T] [--rounds R] [--opening K] "
                 "[--node-pid PID]\n";
    return 2;
  }
  if (o.mode == "ping" || o.mode == "echo")
    return run_round_trips(o);
  return run_crowd(o);
}
