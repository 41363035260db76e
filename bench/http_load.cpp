// http_load: a small closed-loop HTTP/1.1 load client for the gateway
// benchmark (bench/run-gateway). wrk cannot sign requests (every signed
// request needs a fresh nonce and an HMAC), so all three modes — no key, key,
// key + signature — are measured with this one client, the same way.
//
//   http_load --port P --connections C --seconds S --mode none|key|signed
//             [--key K] [--secret S] [--threads T] [--requests N]
//
// --requests N stops after N requests (or S seconds, whichever comes first):
// a fixed amount of work for instruction counts (valgrind --tool=callgrind),
// where a rate would only measure valgrind.
//
// Prints one JSON line: requests, errors (non-2xx), req_per_s, p50_ms, p99_ms.
#include "security/signing.hpp"

#include <boost/asio.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

struct options {
  std::uint16_t port = 8081;
  int connections = 64;
  int seconds = 10;
  int threads = 1;
  std::int64_t requests = 0; ///< 0: as many as fit in `seconds`
  std::string mode = "key";
  std::string key;
  std::string secret;
};

const std::string body = R"({"type":"echo","payload":{"hello":"world"}})";

struct stats {
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  std::vector<std::uint32_t> latency_us;
};

const std::string& body_hash() {
  static const std::string hash = nzl::security::sha256_hex(body);
  return hash;
}

// This process's random tag for nonces.
unsigned run_id() {
  static const unsigned id = std::random_device{}();
  return id;
}

class connection : public std::enable_shared_from_this<connection> {
public:
  connection(asio::io_context& io, const options& o, stats& s, clock_type::time_point end, int id,
             std::atomic<std::int64_t>& budget)
      : socket_(io), opts_(o), stats_(s), end_(end), id_(id), budget_(budget) {}

  void start() {
    socket_.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), opts_.port),
                          [self = shared_from_this()](boost::system::error_code ec) {
                            if (ec) {
                              std::cerr << "connect: " << ec.message() << '\n';
                              return;
                            }
                            self->socket_.set_option(tcp::no_delay(true));
                            self->send();
                          });
  }

private:
  void build_request() {
    request_.clear();
    request_ += "POST /v3/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
    if (opts_.mode != "none") {
      request_ += "Authorization: Bearer ";
      request_ += opts_.key;
      request_ += "\r\n";
    }
    if (opts_.mode == "signed") {
      auto ts = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
      // Unique per run, connection and request: the node remembers nonces
      // for the whole window, so a second run must not reuse the first's.
      char nonce[64];
      std::snprintf(nonce, sizeof nonce, "b%08x-%04d-%016llx", run_id(), id_,
                    static_cast<unsigned long long>(++counter_));
      // Every request needs its own HMAC; the body's hash is the same each time.
      auto sig = nzl::security::sign(
          opts_.secret,
          nzl::security::canonical_string_hashed(ts, nonce, "POST", "/v3/tasks", body_hash()));
      request_ += "X-Timestamp: ";
      request_ += ts;
      request_ += "\r\nX-Nonce: ";
      request_ += nonce;
      request_ += "\r\nX-Signature: ";
      request_ += sig;
      request_ += "\r\n";
    }
    request_ += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    request_ += body;
  }

  void send() {
    if (clock_type::now() >= end_)
      return;
    if (opts_.requests > 0 && budget_.fetch_sub(1, std::memory_order_relaxed) <= 0)
      return;
    build_request();
    sent_ = clock_type::now();
    asio::async_write(socket_, asio::buffer(request_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        if (!ec)
                          self->read();
                      });
  }

  void read() {
    socket_.async_read_some(
        asio::buffer(buf_.data() + used_, buf_.size() - used_),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          if (ec)
            return;
          self->used_ += n;
          self->parse();
        });
  }

  void parse() {
    std::string_view data{buf_.data(), used_};
    auto head_end = data.find("\r\n\r\n");
    if (head_end == std::string_view::npos)
      return read();
    auto head = data.substr(0, head_end);
    std::size_t length = 0;
    if (auto cl = head.find("Content-Length: "); cl != std::string_view::npos) {
      auto v = head.substr(cl + 16);
      std::from_chars(v.data(), v.data() + v.size(), length);
    }
    if (used_ < head_end + 4 + length)
      return read();
    int status = 0;
    std::from_chars(data.data() + 9, data.data() + 12, status);
    ++stats_.requests;
    if (status < 200 || status >= 300)
      ++stats_.errors;
    stats_.latency_us.push_back(static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - sent_).count()));
    auto consumed = head_end + 4 + length;
    std::memmove(buf_.data(), buf_.data() + consumed, used_ - consumed);
    used_ -= consumed;
    send();
  }

  tcp::socket socket_;
  const options& opts_;
  stats& stats_;
  clock_type::time_point end_;
  int id_;
  std::atomic<std::int64_t>& budget_; // requests left to send (with --requests)
  std::uint64_t counter_ = 0;
  std::string request_;
  std::array<char, 16384> buf_{};
  std::size_t used_ = 0;
  clock_type::time_point sent_;
};

bool parse_args(int argc, char** argv, options& o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view name = argv[i];
    std::string value = argv[i + 1];
    if (name == "--port")
      o.port = static_cast<std::uint16_t>(std::stoi(value));
    else if (name == "--connections")
      o.connections = std::stoi(value);
    else if (name == "--seconds")
      o.seconds = std::stoi(value);
    else if (name == "--threads")
      o.threads = std::stoi(value);
    else if (name == "--requests")
      o.requests = std::stoll(value);
    else if (name == "--mode")
      o.mode = value;
    else if (name == "--key")
      o.key = value;
    else if (name == "--secret")
      o.secret = value;
    else
      return false;
  }
  return o.mode == "none" || o.mode == "key" || o.mode == "signed";
}

} // namespace

int main(int argc, char** argv) {
  options o;
  if (!parse_args(argc, argv, o)) {
    std::cerr << "usage: http_load --port P --connections C --seconds S --mode none|key|signed "
                 "[--key K] [--secret S] [--threads T] [--requests N]\n";
    return 2;
  }
  const auto start = clock_type::now();
  const auto end = start + std::chrono::seconds(o.seconds);
  std::vector<stats> per_thread(static_cast<std::size_t>(o.threads));
  std::atomic<std::int64_t> budget{o.requests};
  std::vector<std::thread> threads;
  for (int t = 0; t < o.threads; ++t) {
    threads.emplace_back([&, t] {
      asio::io_context io;
      for (int c = t; c < o.connections; c += o.threads)
        std::make_shared<connection>(io, o, per_thread[static_cast<std::size_t>(t)], end, c, budget)
            ->start();
      io.run();
    });
  }
  for (auto& t : threads)
    t.join();
  const double elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
  stats all;
  for (auto& s : per_thread) {
    all.requests += s.requests;
    all.errors += s.errors;
    all.latency_us.insert(all.latency_us.end(), s.latency_us.begin(), s.latency_us.end());
  }
  std::sort(all.latency_us.begin(), all.latency_us.end());
  auto pct = [&](double p) {
    if (all.latency_us.empty())
      return 0.0;
    return all.latency_us[static_cast<std::size_t>(p * (all.latency_us.size() - 1))] / 1000.0;
  };
  std::printf("{\"mode\":\"%s\",\"connections\":%d,\"requests\":%llu,\"errors\":%llu,"
              "\"req_per_s\":%.0f,\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
              o.mode.c_str(), o.connections, static_cast<unsigned long long>(all.requests),
              static_cast<unsigned long long>(all.errors), all.requests / elapsed, pct(0.5),
              pct(0.99));
  return 0;
}
