#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nzl::test {

using header_list = std::vector<std::pair<std::string, std::string>>;

/// The admin key every test node is bootstrapped with (node_process sets
/// NZL_BOOTSTRAP_ADMIN_KEY), and the node key that seals its secrets.
inline constexpr std::string_view test_admin_key = "nzk_testadminkeytestadminkeytestadmin000";
inline constexpr std::string_view test_node_key =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// One HTTP response as the client received it.
struct http_reply {
  unsigned status = 0;
  header_list headers;
  std::string body;
  bool keep_alive = false; ///< false when the server said `Connection: close`

  /// The value of the first header named `name` (any letter case), or "".
  [[nodiscard]] std::string header(std::string_view name) const;
  [[nodiscard]] bool has_header(std::string_view name) const;
  /// The body parsed as JSON; a discarded value when it is not JSON.
  [[nodiscard]] nlohmann::json json() const;
};

/// A synchronous HTTP/1.1 client over one kept-alive loopback connection
/// (Boost.Beast), for integration tests. Every operation is bounded by the
/// client's timeout and reports failure instead of throwing; `error()` says
/// what went wrong last. Not thread-safe: one client per thread.
class http_client {
public:
  explicit http_client(std::uint16_t port,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  /// Connects to 127.0.0.1:port; false (see `error()`) when refused or timed out.
  [[nodiscard]] bool connect();
  [[nodiscard]] bool is_open() const noexcept;
  /// The client's own port, once connected (to find the socket in /proc/net/tcp).
  [[nodiscard]] std::uint16_t local_port() const noexcept;

  /// The key sent as `Authorization: Bearer` with every request that names
  /// neither Authorization nor X-API-Key itself; "" sends none.
  /// Default: `test_admin_key`.
  void set_api_key(std::string key) { api_key_ = std::move(key); }

  /// Sends one request and reads its response. Adds `Host`, the API key (see
  /// set_api_key), and for a non-empty body `Content-Length` and (unless
  /// `headers` names one) `Content-Type: application/json`. Connects first if
  /// not connected.
  [[nodiscard]] std::optional<http_reply> request(std::string_view method, std::string_view target,
                                                  std::string_view body = {},
                                                  const header_list& headers = {});

  /// Shorthand for a POST with a JSON body.
  [[nodiscard]] std::optional<http_reply> post(std::string_view target, std::string_view body,
                                               const header_list& headers = {});

  /// Sends raw bytes as they are (malformed or partial requests), except that
  /// the API key (set_api_key) is added after each request line when the
  /// bytes carry no credentials; false when the write failed.
  [[nodiscard]] bool send_raw(std::string_view bytes);

  /// Reads one response (after `send_raw`, or one the server sends unasked).
  /// `head_only` for the answer to a HEAD request (no body follows).
  [[nodiscard]] std::optional<http_reply> read_reply(bool head_only = false);

  /// Reads and discards until the server closes the connection (EOF or
  /// reset): true if it did within `bound`, false if it was still open.
  [[nodiscard]] bool wait_closed(std::chrono::milliseconds bound);

  /// Closes the client's side of the connection.
  void close();

  /// What the last failed operation reported.
  [[nodiscard]] const std::string& error() const noexcept;

private:
  std::string api_key_{test_admin_key};
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace nzl::test
