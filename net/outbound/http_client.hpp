#pragma once

#include "core/result.hpp"
#include "net/outbound/egress.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nzl::net::outbound {

/// One outbound HTTP call (a webhook delivery, an api-tester check).
struct outbound_request {
  std::string method = "POST";
  std::string url; ///< absolute http(s) URL; no userinfo
  /// Sent as given (a name may repeat). Host, Content-Length,
  /// Transfer-Encoding and Connection are the client's own and refused here.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// One deadline for everything: resolve, connect, TLS, write, read, and
  /// every redirect hop.
  std::uint32_t timeout_ms = 5000;
  /// Body bytes kept; the rest is not read (the connection is closed) and
  /// `body_truncated` is set.
  std::size_t max_response_bytes = 64 * 1024;
  /// Redirects (301, 302, 303, 307, 308 with a Location) followed; each hop
  /// is checked against the egress rules again. Past the limit, the redirect
  /// response itself is the answer.
  unsigned max_redirects = 0;
};

struct outbound_response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool body_truncated = false;
  double latency_ms = 0;                         ///< from send() to the end of the body, all hops
  std::string remote_address;                    ///< the IP address of the last hop's peer
  std::optional<std::int64_t> cert_expires_unix; ///< notAfter of the last hop's certificate
  std::string final_url;                         ///< the URL that answered (after redirects)
  unsigned redirects = 0;                        ///< redirects followed
};

struct http_client_options {
  egress_rules egress;
  unsigned io_threads = 1;
  /// PEM file of trusted CA certificates used INSTEAD of the system store
  /// (as curl's --cacert); empty means the system store.
  std::string ca_file;
  std::string user_agent = "noizylab-cloud-agent";
  std::size_t max_header_bytes = 32 * 1024; ///< response head limit
};

/// An asynchronous HTTP/1.1 client for calls leaving the node. It owns its
/// io_context and threads; it resolves names itself and checks every
/// resolved address against the egress rules before connecting, and then
/// connects only to those addresses. HTTPS verifies the peer against the
/// system CA store (or `ca_file`) and its name (SNI and host name check).
/// One connection per request (Connection: close).
///
/// Errors: errc::egress_denied (a destination the rules refuse),
/// errc::invalid_field (bad URL, method or header; invalid egress rules),
/// errc::upstream_failed (resolve, connect, TLS, certificate, timeout, write,
/// read or malformed response; extension "reason" says which),
/// errc::unavailable (the client was destroyed before the answer).
///
/// Thread safety: send() may be called from any thread. The destructor must
/// not race with send() and must not run on one of the client's threads
/// (i.e. not inside a `done` callback).
class http_client {
public:
  using callback = std::function<void(result<outbound_response>)>;

  explicit http_client(egress_rules rules, unsigned io_threads = 1);
  explicit http_client(http_client_options options);
  /// Completes every outstanding request with errc::unavailable, then joins
  /// the threads.
  ~http_client();

  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  /// Starts one call. `done` runs exactly once, on one of the client's
  /// threads, with the response (any status) or the error.
  void send(outbound_request request, callback done);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace nzl::net::outbound
