#include "cluster/port_probe.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace nzl::cluster {
namespace {

struct addrinfo_deleter {
  void operator()(addrinfo* a) const noexcept { freeaddrinfo(a); }
};

struct socket_guard {
  int fd = -1;
  ~socket_guard() {
    if (fd >= 0)
      ::close(fd);
  }
};

std::string numeric(const addrinfo& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  const void* src =
      a.ai_family == AF_INET6
          ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(a.ai_addr)->sin6_addr)
          : static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(a.ai_addr)->sin_addr);
  return inet_ntop(a.ai_family, src, buf, sizeof buf) ? std::string{buf} : std::string{};
}

// "" when `a` accepted a connection within `timeout`, else why not.
std::string try_connect(const addrinfo& a, std::chrono::milliseconds timeout) {
  socket_guard s{
      ::socket(a.ai_family, a.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a.ai_protocol)};
  if (s.fd < 0)
    return std::string{"socket: "} + std::strerror(errno);
  if (::connect(s.fd, a.ai_addr, a.ai_addrlen) == 0)
    return {};
  if (errno != EINPROGRESS)
    return std::strerror(errno);
  pollfd p{s.fd, POLLOUT, 0};
  int ready;
  do {
    ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  } while (ready < 0 && errno == EINTR);
  if (ready == 0)
    return "timed out after " + std::to_string(timeout.count()) + " ms";
  if (ready < 0)
    return std::string{"poll: "} + std::strerror(errno);
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
    return std::string{"getsockopt: "} + std::strerror(errno);
  return err == 0 ? std::string{} : std::strerror(err);
}

} // namespace

result<std::string> probe_port(const std::string& host, std::uint16_t port,
                               std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const auto service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
    return fail(errc::unavailable, "cannot resolve " + host + ": " + gai_strerror(rc));
  std::unique_ptr<addrinfo, addrinfo_deleter> list{found};
  std::string why;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    auto address = numeric(*a);
    if (address.empty())
      continue;
    auto failure = try_connect(*a, timeout);
    if (failure.empty())
      return address;
    why += (why.empty() ? "" : "; ") + address + ": " + failure;
  }
  return fail(errc::unavailable, host + ":" + service + " did not answer (" +
                                     (why.empty() ? "no address" : why) + ")");
}

} // namespace nzl::cluster
