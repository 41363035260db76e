// The tests' HTTP receiver: a blocking accept loop on one thread, woken for
// shutdown by a pipe (poll on the listening socket and the pipe), so the
// destructor never waits on a timeout. Each connection carries one request
// and is closed after the answer (`Connection: close`).
#include "tests/support/http_receiver.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace nzl::test {

namespace {

constexpr std::size_t max_request_bytes = 1024 * 1024;
constexpr int receive_timeout_s = 5;

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string reason(unsigned status) {
  switch (status) {
  case 200:
    return "OK";
  case 204:
    return "No Content";
  case 500:
    return "Internal Server Error";
  case 503:
    return "Service Unavailable";
  default:
    return "Status";
  }
}

bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    auto n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

} // namespace

std::string received_request::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name))
      return value;
  return {};
}

http_receiver::http_receiver(std::vector<unsigned> statuses) : statuses_(std::move(statuses)) {
  if (statuses_.empty())
    statuses_.push_back(200);
}

http_receiver::~http_receiver() {
  if (thread_.joinable()) {
    char byte = 0;
    while (::write(wake_fds_[1], &byte, 1) < 0 && errno == EINTR) {
    }
    thread_.join();
  }
  for (int fd : {listen_fd_, wake_fds_[0], wake_fds_[1]})
    if (fd >= 0)
      ::close(fd);
}

bool http_receiver::start() {
  auto fail = [&](const char* what) {
    std::lock_guard guard{mutex_};
    error_ = std::string{what} + ": " + std::strerror(errno);
    return false;
  };
  if (::pipe2(wake_fds_, O_CLOEXEC) != 0)
    return fail("pipe2");
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0)
    return fail("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return fail("bind");
  if (::listen(listen_fd_, 16) != 0)
    return fail("listen");
  socklen_t len = sizeof addr;
  if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    return fail("getsockname");
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { run(); });
  return true;
}

std::string http_receiver::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string{path};
}

std::vector<received_request> http_receiver::requests() const {
  std::lock_guard guard{mutex_};
  return requests_;
}

std::string http_receiver::error() const {
  std::lock_guard guard{mutex_};
  return error_;
}

void http_receiver::run() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fds_[0], POLLIN, 0}};
    int n = ::poll(fds, 2, -1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 || (fds[1].revents & POLLIN))
      return;
    if (!(fds[0].revents & POLLIN))
      continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0)
      continue;
    ++connections_;
    serve(fd);
    ::close(fd);
  }
}

void http_receiver::serve(int fd) {
  timeval timeout{receive_timeout_s, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  auto fail = [&](std::string what) {
    std::lock_guard guard{mutex_};
    error_ = std::move(what);
  };
  std::string data;
  char chunk[4096];
  auto read_more = [&] {
    for (;;) {
      auto got = ::recv(fd, chunk, sizeof chunk, 0);
      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        return false;
      data.append(chunk, static_cast<std::size_t>(got));
      return data.size() <= max_request_bytes;
    }
  };
  std::size_t head_end;
  while ((head_end = data.find("\r\n\r\n")) == std::string::npos)
    if (!read_more())
      return fail(data.empty() ? "connection closed before a request" : "incomplete head");

  received_request req;
  std::string_view head{data.data(), head_end};
  auto line_end = head.find("\r\n");
  auto request_line = head.substr(0, line_end);
  auto sp1 = request_line.find(' ');
  auto sp2 = request_line.find(' ', sp1 == std::string_view::npos ? sp1 : sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos)
    return fail("malformed request line: " + std::string{request_line});
  req.method = std::string{request_line.substr(0, sp1)};
  req.target = std::string{request_line.substr(sp1 + 1, sp2 - sp1 - 1)};
  std::size_t content_length = 0;
  for (auto rest = line_end == std::string_view::npos ? std::string_view{}
                                                      : head.substr(line_end + 2);
       !rest.empty();) {
    auto end = rest.find("\r\n");
    auto line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 2);
    auto colon = line.find(':');
    if (colon == std::string_view::npos)
      continue;
    std::string name{trim(line.substr(0, colon))};
    std::string value{trim(line.substr(colon + 1))};
    if (iequals(name, "Content-Length"))
      content_length = std::strtoull(value.c_str(), nullptr, 10);
    if (iequals(name, "Transfer-Encoding"))
      return fail("Transfer-Encoding is not supported by the test receiver");
    req.headers.emplace_back(std::move(name), std::move(value));
  }
  const auto body_start = head_end + 4;
  if (content_length > max_request_bytes)
    return fail("body too large");
  while (data.size() < body_start + content_length)
    if (!read_more())
      return fail("incomplete body");
  req.body = data.substr(body_start, content_length);

  unsigned status;
  {
    std::lock_guard guard{mutex_};
    status = statuses_[std::min(requests_.size(), statuses_.size() - 1)];
    requests_.push_back(std::move(req));
  }
  send_all(fd, "HTTP/1.1 " + std::to_string(status) + " " + reason(status) +
                   "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
}

} // namespace nzl::test
