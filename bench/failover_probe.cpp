// failover_probe: the client of the failover benchmark (bench/run-failover).
// One kept-alive connection to node A, one request at a time (a steady,
// closed-loop stream), so every answer can be timed and attributed to the
// region that served it (X-Served-By-Region).
//
//   failover_probe --port P --key K --mode failover --country C --home R --kill-pid PID
//                  [--signal KILL|STOP]
//       streams echo tasks for country C (home region R) until `--warmup`
//       answers came from R, sends SIGKILL (or SIGSTOP: a hung node, found
//       only by the missing heartbeats) to PID (R's node), and streams on
//       until the first 2xx answer from another region and `--after` more.
//   failover_probe --port P --key K --mode failback --country C --home R
//       streams until an answer comes from R again (bounded by --max-seconds).
//   failover_probe --port P --key K --mode latency --regions A,B --requests N
//       N echo tasks pinned (options.region) to each region, in alternating
//       blocks, and their latency percentiles.
//
// Prints one JSON line per result. Every failed request (transport error or
// non-2xx) is counted, with the first few kept as examples. Plain POSIX
// sockets and a minimal HTTP/1.1 reader (the node always sends
// Content-Length): this probe measures the node, not a client library.
#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <sstream>
#include <string>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

struct options {
  std::uint16_t port = 0;
  std::string key;
  std::string mode;
  std::string country;
  std::string home;
  pid_t kill_pid = 0;
  int signal = SIGKILL;
  int warmup = 200;
  int after = 500;
  int max_seconds = 60;
  int requests = 5000;
  int block = 500;
  std::vector<std::string> regions;
};

struct reply {
  unsigned status = 0;
  std::string region; ///< X-Served-By-Region
  std::string body;
};

constexpr std::size_t max_head = 16 * 1024;
constexpr std::size_t max_body = 1024 * 1024;
constexpr int io_timeout_s = 10;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// One kept-alive HTTP/1.1 connection to 127.0.0.1:port; reconnects after an
// error. Every read and write is bounded by io_timeout_s.
class connection {
public:
  connection(std::uint16_t port, std::string key) : port_(port), key_(std::move(key)) {}
  ~connection() { close(); }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  const std::string& error() const { return error_; }

  std::optional<reply> post(const std::string& body, const std::string& country) {
    if (fd_ < 0 && !open())
      return std::nullopt;
    std::string request = "POST /v3/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Content-Type: application/json\r\nAuthorization: Bearer " +
                          key_ + "\r\n";
    if (!country.empty())
      request += "CF-IPCountry: " + country + "\r\n";
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    if (!write_all(request) || !read_reply()) {
      close();
      return std::nullopt;
    }
    if (!keep_alive_)
      close();
    return reply_;
  }

private:
  bool open() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0)
      return fail("socket");
    timeval tv{io_timeout_s, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      fail("connect");
      close();
      return false;
    }
    buffer_.clear();
    return true;
  }

  void close() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }

  bool fail(const char* what) {
    error_ = std::string{what} + ": " + std::strerror(errno);
    return false;
  }

  bool write_all(const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
      auto n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return fail("send");
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

  bool fill() {
    char chunk[16384];
    for (;;) {
      auto n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n == 0) {
        error_ = "the server closed the connection";
        return false;
      }
      if (n < 0)
        return fail("recv");
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
  }

  bool read_reply() {
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (buffer_.size() > max_head) {
        error_ = "response head too large";
        return false;
      }
      if (!fill())
        return false;
    }
    std::istringstream head{buffer_.substr(0, end)};
    std::string line;
    std::getline(head, line);
    reply_ = reply{};
    if (line.size() < 12 || line.compare(0, 5, "HTTP/") != 0) {
      error_ = "not an HTTP response: " + line;
      return false;
    }
    reply_.status = static_cast<unsigned>(std::atoi(line.c_str() + 9));
    std::optional<std::size_t> length;
    keep_alive_ = true;
    while (std::getline(head, line)) {
      if (!line.empty() && line.back() == '\r')
        line.pop_back();
      auto colon = line.find(':');
      if (colon == std::string::npos)
        continue;
      auto name = lower(line.substr(0, colon));
      auto value = line.substr(line.find_first_not_of(' ', colon + 1));
      if (name == "content-length")
        length = static_cast<std::size_t>(std::strtoull(value.c_str(), nullptr, 10));
      else if (name == "x-served-by-region")
        reply_.region = value;
      else if (name == "connection" && lower(value) == "close")
        keep_alive_ = false;
    }
    if (!length || *length > max_body) {
      error_ = "no usable Content-Length";
      return false;
    }
    buffer_.erase(0, end + 4);
    while (buffer_.size() < *length)
      if (!fill())
        return false;
    reply_.body = buffer_.substr(0, *length);
    buffer_.erase(0, *length);
    return true;
  }

  std::uint16_t port_;
  std::string key_;
  int fd_ = -1;
  std::string buffer_;
  reply reply_;
  bool keep_alive_ = true;
  std::string error_;
};

double ms_since(clock_type::time_point t) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
      continue;
    }
    out += c;
  }
  return out;
}

// Tallies of one streaming phase.
struct tally {
  int requests = 0;
  int failed = 0;
  std::map<std::string, int> served_by;
  std::vector<std::string> examples; ///< the first failures

  // Sends one echo and records the outcome; the reply when it was a 2xx.
  std::optional<reply> send(connection& c, const std::string& country, int n) {
    ++requests;
    auto r = c.post(R"({"type":"echo","payload":{"n":)" + std::to_string(n) + "}}", country);
    if (!r || r->status < 200 || r->status >= 300) {
      ++failed;
      if (examples.size() < 5)
        examples.push_back(r ? std::to_string(r->status) + " " + r->body.substr(0, 300)
                             : "transport: " + c.error());
      return std::nullopt;
    }
    ++served_by[r->region];
    return r;
  }

  std::string json() const {
    std::string out = R"("requests":)" + std::to_string(requests) + R"(,"failed":)" +
                      std::to_string(failed) + R"(,"served_by":{)";
    bool first = true;
    for (const auto& [region, n] : served_by) {
      out += (first ? "\"" : ",\"") + json_escape(region) + "\":" + std::to_string(n);
      first = false;
    }
    out += R"(},"failures":[)";
    for (std::size_t i = 0; i < examples.size(); ++i)
      out += (i ? ",\"" : "\"") + json_escape(examples[i]) + "\"";
    return out + "]";
  }
};

int run_failover(const options& o) {
  connection c{o.port, o.key};
  tally t;
  int n = 0;
  // Warm up on the home region (bounded: the cluster must already route there).
  const auto warm_start = clock_type::now();
  int home_answers = 0;
  while (home_answers < o.warmup) {
    if (auto r = t.send(c, o.country, n++); r && r->region == o.home)
      ++home_answers;
    if (ms_since(warm_start) > o.max_seconds * 1000.0) {
      std::cout << R"({"mode":"failover","error":"no traffic reached )" << o.home << "\","
                << t.json() << "}\n";
      return 1;
    }
  }
  tally during;
  const auto killed = clock_type::now();
  if (::kill(o.kill_pid, o.signal) != 0) {
    std::cout << R"({"mode":"failover","error":"kill: )" << std::strerror(errno) << "\"}\n";
    return 1;
  }
  std::optional<double> failover_ms;
  std::string fallback;
  int after = 0;
  while (after < o.after) {
    auto r = during.send(c, o.country, n++);
    if (!failover_ms && r && r->region != o.home) {
      failover_ms = ms_since(killed);
      fallback = r->region;
    }
    if (failover_ms)
      ++after;
    if (ms_since(killed) > o.max_seconds * 1000.0)
      break;
  }
  std::cout << R"({"mode":"failover","signal":")" << (o.signal == SIGSTOP ? "STOP" : "KILL")
            << R"(","failover_ms":)"
            << (failover_ms ? std::to_string(*failover_ms) : std::string{"null"})
            << R"(,"fallback":")" << json_escape(fallback) << "\"," << during.json() << "}\n";
  return failover_ms ? 0 : 1;
}

int run_failback(const options& o) {
  connection c{o.port, o.key};
  tally t;
  const auto start = clock_type::now();
  int n = 0;
  std::optional<double> back_ms;
  while (!back_ms && ms_since(start) < o.max_seconds * 1000.0)
    if (auto r = t.send(c, o.country, n++); r && r->region == o.home)
      back_ms = ms_since(start);
  std::cout << R"({"mode":"failback","failback_ms":)"
            << (back_ms ? std::to_string(*back_ms) : std::string{"null"}) << "," << t.json()
            << "}\n";
  return back_ms ? 0 : 1;
}

int run_latency(const options& o) {
  connection c{o.port, o.key};
  std::map<std::string, std::vector<double>> samples;
  std::map<std::string, int> failed;
  std::map<std::string, std::string> served;
  auto one = [&](const std::string& region, bool keep) {
    const std::string body =
        R"({"type":"echo","payload":{"n":1},"options":{"region":")" + region + "\"}}";
    const auto t0 = clock_type::now();
    auto r = c.post(body, {});
    const double ms = ms_since(t0);
    if (!r || r->status != 200) {
      ++failed[region];
      return;
    }
    served[region] = r->region;
    if (keep)
      samples[region].push_back(ms);
  };
  for (const auto& region : o.regions)
    for (int i = 0; i < 200; ++i)
      one(region, false);
  // Alternating blocks spread the machine's noise over every region.
  for (int done = 0; done < o.requests; done += o.block)
    for (const auto& region : o.regions)
      for (int i = 0; i < std::min(o.block, o.requests - done); ++i)
        one(region, true);
  for (const auto& region : o.regions) {
    auto& v = samples[region];
    std::sort(v.begin(), v.end());
    auto at = [&](double q) {
      return v.empty() ? 0.0 : v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
    };
    double mean = 0;
    for (double x : v)
      mean += x;
    mean = v.empty() ? 0 : mean / static_cast<double>(v.size());
    std::printf(R"({"mode":"latency","region":"%s","served_by":"%s","requests":%zu,"failed":%d,)"
                R"("p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"mean_ms":%.3f})"
                "\n",
                region.c_str(), served[region].c_str(), v.size(), failed[region], at(0.5), at(0.9),
                at(0.99), mean);
  }
  return 0;
}

bool parse(int argc, char** argv, options& o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    std::string value = argv[i + 1];
    if (flag == "--port")
      o.port = static_cast<std::uint16_t>(std::stoi(value));
    else if (flag == "--key")
      o.key = value;
    else if (flag == "--mode")
      o.mode = value;
    else if (flag == "--country")
      o.country = value;
    else if (flag == "--home")
      o.home = value;
    else if (flag == "--kill-pid")
      o.kill_pid = static_cast<pid_t>(std::stol(value));
    else if (flag == "--signal") {
      if (value != "KILL" && value != "STOP") {
        std::cerr << "failover_probe: --signal is KILL or STOP\n";
        return false;
      }
      o.signal = value == "STOP" ? SIGSTOP : SIGKILL;
    } else if (flag == "--warmup")
      o.warmup = std::stoi(value);
    else if (flag == "--after")
      o.after = std::stoi(value);
    else if (flag == "--max-seconds")
      o.max_seconds = std::stoi(value);
    else if (flag == "--requests")
      o.requests = std::stoi(value);
    else if (flag == "--block")
      o.block = std::max(1, std::stoi(value));
    else if (flag == "--regions") {
      std::istringstream list{value};
      std::string r;
      while (std::getline(list, r, ','))
        o.regions.push_back(r);
    } else {
      std::cerr << "failover_probe: unknown flag " << flag << '\n';
      return false;
    }
  }
  if (o.port == 0 || o.key.empty()) {
    std::cerr << "failover_probe: --port and --key are required\n";
    return false;
  }
  return true;
}

} // namespace

int main(int argc, char** argv) {
  options o;
  try {
    if (!parse(argc, argv, o))
      return 2;
  } catch (const std::exception& e) { // std::stoi on a malformed number
    std::cerr << "failover_probe: bad flag value: " << e.what() << '\n';
    return 2;
  }
  if (o.mode == "failover" && o.kill_pid > 0 && !o.home.empty())
    return run_failover(o);
  if (o.mode == "failback" && !o.home.empty())
    return run_failback(o);
  if (o.mode == "latency" && !o.regions.empty())
    return run_latency(o);
  std::cerr << "failover_probe: --mode failover (with --home, --kill-pid), failback (with "
               "--home) or latency (with --regions)\n";
  return 2;
}
