#include "tests/unit/cli/fake_node.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace nzl::cli::testing {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

} // namespace

std::string recorded_request::header(std::string_view name) const {
  for (auto& [n, v] : headers)
    if (iequals(n, name))
      return v;
  return {};
}

struct fake_node::impl {
  int listen_fd = -1;
  int wake[2] = {-1, -1};
  std::uint16_t port = 0;
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::map<std::string, std::deque<canned_answer>> answers;
  std::vector<recorded_request> requests;
  std::thread thread;

  // Waits for `fd` to be readable; false when the server is stopping.
  bool wait_readable(int fd) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
    for (;;) {
      int n = ::poll(fds, 2, -1);
      if (n < 0 && errno == EINTR)
        continue;
      return n > 0 && (fds[1].revents & POLLIN) == 0;
    }
  }

  void serve(int fd) {
    std::string data;
    char buf[4096];
    std::size_t head_end = std::string::npos;
    while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
      if (data.size() > 65536 || !wait_readable(fd))
        return;
      auto n = ::read(fd, buf, sizeof buf);
      if (n <= 0)
        return;
      data.append(buf, static_cast<std::size_t>(n));
    }
    recorded_request req;
    std::string head = data.substr(0, head_end);
    auto line_end = head.find("\r\n");
    std::string first = head.substr(0, line_end);
    auto sp1 = first.find(' ');
    auto sp2 = first.rfind(' ');
    req.method = first.substr(0, sp1);
    req.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
    std::size_t length = 0;
    for (auto pos = line_end; pos != std::string::npos && pos < head.size();) {
      auto start = pos + 2;
      auto end = head.find("\r\n", start);
      std::string line = head.substr(start, end == std::string::npos ? end : end - start);
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        if (iequals(name, "content-length"))
          length = std::stoul(value);
        req.headers.emplace_back(std::move(name), std::move(value));
      }
      pos = end;
    }
    std::string body = data.substr(head_end + 4);
    while (body.size() < length) {
      if (!wait_readable(fd))
        return;
      auto n = ::read(fd, buf, sizeof buf);
      if (n <= 0)
        return;
      body.append(buf, static_cast<std::size_t>(n));
    }
    req.body = body.substr(0, length);
    canned_answer a{
        404, R"({"type":"about:blank","title":"Not Found","status":404,"detail":"no route"})",
        "application/problem+json"};
    {
      std::lock_guard guard{mutex};
      auto it = answers.find(req.method + " " + req.path());
      if (it != answers.end() && !it->second.empty()) {
        a = it->second.front();
        if (it->second.size() > 1)
          it->second.pop_front();
      }
      requests.push_back(std::move(req));
    }
    changed.notify_all();
    if (a.hang) {
      // Until the client gives up (EOF) or the server stops.
      while (wait_readable(fd) && ::read(fd, buf, sizeof buf) > 0) {
      }
      return;
    }
    std::string out = "HTTP/1.1 " + std::to_string(a.status) +
                      " X\r\nContent-Type: " + a.content_type +
                      "\r\nContent-Length: " + std::to_string(a.body.size()) +
                      "\r\nConnection: close\r\n\r\n" + a.body;
    std::size_t sent = 0;
    while (sent < out.size()) {
      auto n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n <= 0)
        return;
      sent += static_cast<std::size_t>(n);
    }
  }

  void run() {
    while (wait_readable(listen_fd)) {
      int fd = ::accept(listen_fd, nullptr, nullptr);
      if (fd < 0)
        continue;
      serve(fd);
      ::close(fd);
    }
  }
};

fake_node::fake_node() : impl_(std::make_unique<impl>()) {
  auto& d = *impl_;
  if (::pipe(d.wake) != 0)
    throw std::runtime_error("pipe");
  d.listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(d.listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(d.listen_fd, 16) != 0 ||
      ::getsockname(d.listen_fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("bind");
  d.port = ntohs(addr.sin_port);
  d.thread = std::thread([&d] { d.run(); });
}

fake_node::~fake_node() {
  auto& d = *impl_;
  char c = 'x';
  (void)!::write(d.wake[1], &c, 1);
  d.thread.join();
  ::close(d.listen_fd);
  ::close(d.wake[0]);
  ::close(d.wake[1]);
}

std::uint16_t fake_node::port() const {
  return impl_->port;
}

std::string fake_node::url() const {
  return "http://127.0.0.1:" + std::to_string(port());
}

void fake_node::answer(const std::string& route, canned_answer a) {
  std::lock_guard guard{impl_->mutex};
  impl_->answers[route].push_back(std::move(a));
}

std::vector<recorded_request> fake_node::requests() const {
  std::lock_guard guard{impl_->mutex};
  return impl_->requests;
}

bool fake_node::wait_for_requests(std::size_t n) const {
  std::unique_lock lock{impl_->mutex};
  return impl_->changed.wait_for(lock, std::chrono::seconds(60),
                                 [&] { return impl_->requests.size() >= n; });
}

} // namespace nzl::cli::testing
