#pragma once

#include "tests/support/http_client.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace nzl::test {

/// One request as an http_receiver got it.
struct received_request {
  std::string method;
  std::string target;
  header_list headers;
  std::string body;

  /// The value of the first header named `name` (any letter case), or "".
  [[nodiscard]] std::string header(std::string_view name) const;
};

/// A tiny blocking HTTP/1.1 server on 127.0.0.1, port 0, for tests that need
/// the node to call out (webhooks). One thread accepts connections one at a
/// time, reads one request (head and Content-Length body, bounded by a 5 s
/// receive timeout and 1 MiB), records it, answers with the next status of
/// `statuses` (the last one repeats) and an empty body, and closes the
/// connection. Plain POSIX sockets: no Beast, so it compiles in seconds.
///
/// Thread-safe: the accessors may be called from any thread while it runs.
/// The destructor stops the thread and closes the socket.
class http_receiver {
public:
  explicit http_receiver(std::vector<unsigned> statuses = {200});
  ~http_receiver();
  http_receiver(const http_receiver&) = delete;
  http_receiver& operator=(const http_receiver&) = delete;

  /// Binds and starts listening; false (see `error()`) when that failed.
  [[nodiscard]] bool start();

  /// The bound port (0 before start()).
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

  /// "http://127.0.0.1:<port><path>".
  [[nodiscard]] std::string url(std::string_view path) const;

  /// The requests received so far, in order.
  [[nodiscard]] std::vector<received_request> requests() const;

  /// Connections accepted so far (whether or not a request followed).
  [[nodiscard]] std::size_t connections() const noexcept { return connections_.load(); }

  /// What went wrong last (bind, or a connection that failed mid-request).
  [[nodiscard]] std::string error() const;

private:
  void run();
  void serve(int fd);

  std::vector<unsigned> statuses_;
  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1}; ///< a pipe: the destructor writes to stop run()
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<std::size_t> connections_{0};
  mutable std::mutex mutex_; // guards requests_ and error_
  std::vector<received_request> requests_;
  std::string error_;
};

} // namespace nzl::test
