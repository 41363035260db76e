#pragma once

#include "core/result.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace nzl::net {

class api;

struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0; ///< 0: the kernel picks one; `start` returns it
  unsigned io_threads = 2;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_connections = 1024;
  std::uint32_t read_timeout_ms = 10'000;  ///< to receive a body once its head arrived
  std::uint32_t idle_timeout_ms = 30'000;  ///< to receive a whole head (also keep-alive idle)
  std::uint32_t write_timeout_ms = 10'000; ///< to send a response
};

/// The HTTP/1.1 server (Boost.Beast): asynchronous, keep-alive, one io_context
/// per io thread with each connection on one of them, every phase bounded by
/// a limit and a timeout. It parses and frames; `api` decides. The io threads
/// never wait for an actor: the api's completion is posted back to the
/// connection's io_context.
///
/// Lifecycle: start() -> drain() -> wait_drained() -> stop(). Not copyable;
/// start/drain/wait/stop are called from one controlling thread.
class http_server {
public:
  http_server(server_options options, api& handler);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Binds, listens and starts the io threads. Returns the bound port, or an
  /// error naming the address when it cannot bind (never throws).
  [[nodiscard]] result<std::uint16_t> start();

  /// Stops accepting (new connections are refused by the kernel), closes idle
  /// keep-alive connections, and lets requests in flight finish; their
  /// responses carry `Connection: close`.
  void drain();

  /// Blocks the calling (non-io) thread until every connection has closed or
  /// `deadline` passed; true if all closed.
  bool wait_drained(std::chrono::milliseconds deadline);

  /// Closes every connection and joins the io threads.
  void stop();

  /// Connections open now.
  [[nodiscard]] std::size_t connections() const noexcept;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace nzl::net
