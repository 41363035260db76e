#pragma once

#include "core/result.hpp"
#include "net/http_types.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace nzl::net {

class api;
namespace ws {
class ws_hub;
}

/// HTTPS for the server: both files set turns it on. TLS 1.2 at least, 1.3
/// preferred; TLS 1.2 only with ECDHE and AEAD ciphers (AES-GCM,
/// ChaCha20-Poly1305); no compression, renegotiation or session resumption.
struct tls_options {
  std::string cert_file; ///< PEM: the server's certificate, then its chain
  std::string key_file;  ///< PEM: the certificate's private key, unencrypted

  /// True when either file is named (`start` fails unless both load).
  [[nodiscard]] bool enabled() const noexcept { return !cert_file.empty() || !key_file.empty(); }
};

struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0; ///< 0: the kernel picks one; `start` returns it
  unsigned io_threads = 2;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_connections = 1024;
  std::uint32_t read_timeout_ms = 10'000;      ///< to receive a body once its head arrived
  std::uint32_t idle_timeout_ms = 30'000;      ///< to receive a whole head (also keep-alive idle)
  std::uint32_t write_timeout_ms = 10'000;     ///< to send a response
  std::uint32_t handshake_timeout_ms = 10'000; ///< to finish a TLS handshake (HTTPS only)
  tls_options tls;                             ///< HTTPS when enabled(), else plain HTTP
  /// `GET /v3/ws` upgrades go here (admitted by the hub first); null: the
  /// endpoint answers like any unknown upgrade (400 from the api).
  ws::ws_hub* websocket = nullptr;
};

/// The HTTP/1.1 server (Boost.Beast): asynchronous, keep-alive, one io_context
/// per io thread with each connection on one of them, every phase bounded by
/// a limit and a timeout. It parses and frames; `api` decides. The io threads
/// never wait for an actor: the api's completion is posted back to the
/// connection's io_context.
///
/// With `options.tls` enabled it serves HTTPS only (every connection starts
/// with a TLS handshake bounded by `handshake_timeout_ms`). Each request
/// carries the peer's address, whether it came over TLS, and the headers the
/// gateway reads (see `http_request`).
///
/// Lifecycle: start() -> drain() -> wait_drained() -> stop(). Not copyable;
/// start/drain/wait/stop are called from one controlling thread.
class http_server {
public:
  /// Where a parsed request goes: `done` must be called exactly once, on any
  /// thread.
  using request_handler = std::function<void(http_request, std::function<void(http_response)>)>;

  /// Sends every request to `handler.handle`.
  http_server(server_options options, api& handler);

  /// Sends every request to `front` (a layer before the api, or a test's
  /// probe) instead; `handler` still writes the problem documents for the
  /// errors the server finds itself (limits, overload).
  http_server(server_options options, api& handler, request_handler front);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Loads the TLS certificate and key (when `options.tls` is enabled), binds,
  /// listens and starts the io threads. Returns the bound port, or an error
  /// (never throws): `invalid_field` naming the file when the certificate or
  /// key cannot be loaded or do not match, or the host is not an address;
  /// `unavailable` naming the address when it cannot bind.
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
