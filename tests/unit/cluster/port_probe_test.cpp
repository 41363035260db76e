// The port probe run before each dial (cluster/port_probe.hpp), against
// loopback sockets only: a listener answers, a closed port is refused, and a
// listener whose accept queue is full (SYNs dropped, as by a dead host) is
// given up after the timeout instead of blocking.
#include "cluster/port_probe.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace nzl::cluster {
namespace {

using namespace std::chrono_literals;

class fd_owner {
public:
  explicit fd_owner(int fd) : fd_{fd} {}
  fd_owner(const fd_owner&) = delete;
  fd_owner& operator=(const fd_owner&) = delete;
  fd_owner(fd_owner&& o) noexcept : fd_{o.fd_} { o.fd_ = -1; }
  ~fd_owner() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  [[nodiscard]] int get() const { return fd_; }

private:
  int fd_;
};

// A socket bound to 127.0.0.1 on a free port; listening with `backlog`
// unless negative.
std::pair<fd_owner, std::uint16_t> loopback_socket(int backlog) {
  fd_owner s{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  EXPECT_EQ(::getsockname(s.get(), reinterpret_cast<sockaddr*>(&a), &len), 0);
  if (backlog >= 0) {
    EXPECT_EQ(::listen(s.get(), backlog), 0);
  }
  return {std::move(s), ntohs(a.sin_port)};
}

// True when a non-blocking connect to the port completes within `wait`.
bool connects(std::uint16_t port, std::chrono::milliseconds wait, std::vector<fd_owner>& keep) {
  fd_owner c{::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  bool done = ::connect(c.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  if (!done && errno == EINPROGRESS) {
    pollfd p{c.get(), POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    done = ::poll(&p, 1, static_cast<int>(wait.count())) == 1 &&
           ::getsockopt(c.get(), SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
  }
  keep.push_back(std::move(c));
  return done;
}

TEST(ClusterPortProbeTest, AListenerAnswersWithItsNumericAddress) {
  auto [listener, port] = loopback_socket(8);
  auto r = probe_port("127.0.0.1", port, 1000ms);
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_EQ(*r, "127.0.0.1");
}

TEST(ClusterPortProbeTest, ANameIsResolvedToTheAddressThatAnswered) {
  auto [listener, port] = loopback_socket(8);
  // localhost may resolve to ::1 first, where nothing listens: the probe
  // moves on to the address that answers.
  auto r = probe_port("localhost", port, 1000ms);
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_EQ(*r, "127.0.0.1");
}

TEST(ClusterPortProbeTest, AClosedPortIsRefusedAtOnce) {
  std::uint16_t port = 0;
  {
    auto [bound, p] = loopback_socket(-1); // bound, never listening
    port = p;
    auto r = probe_port("127.0.0.1", port, 1000ms);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.err().code, errc::unavailable);
    EXPECT_NE(r.err().detail.find("refused"), std::string::npos) << r.err().detail;
  }
}

TEST(ClusterPortProbeTest, AHostThatDropsTheConnectionIsGivenUpAfterTheTimeout) {
  // A listener that never accepts, with the smallest queue: once the queue
  // is full the kernel drops further SYNs, as a dead host on a network would.
  auto [listener, port] = loopback_socket(0);
  std::vector<fd_owner> held;
  bool full = false;
  for (int i = 0; i < 16 && !full; ++i)
    full = !connects(port, 200ms, held);
  if (!full)
    GTEST_SKIP() << "this kernel kept accepting into a full queue";
  auto r = probe_port("127.0.0.1", port, 200ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::unavailable);
  EXPECT_NE(r.err().detail.find("timed out"), std::string::npos) << r.err().detail;
}

} // namespace
} // namespace nzl::cluster
