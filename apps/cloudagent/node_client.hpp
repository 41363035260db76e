#pragma once

#include "apps/cloudagent/options.hpp"
#include "apps/cloudagent/outcome.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace nzl::net::outbound {
class http_client;
}

namespace nzl::cli {

/// The biggest answer read from the node (an audit page of 1000 records is
/// well under 1 MiB).
constexpr std::size_t max_answer_bytes = 8 * 1024 * 1024;

/// A 2xx answer of the node.
struct node_answer {
  int status = 0;
  std::string raw;     ///< the body as received (for --json)
  nlohmann::json body; ///< the body parsed
};

/// The failure for a non-2xx answer: node_error with
/// "<title> (<status>): <detail>" from the RFC 9457 problem document, or the
/// start of the body when it is not one.
[[nodiscard]] failure problem_failure(int status, std::string_view body);

/// Calls the node: one synchronous request per call() over the project's
/// outbound client, with the deadline of --timeout-ms covering connect, TLS,
/// write and read. Adds `Authorization: Bearer <key>` when a key is set and
/// the signature headers when a signing secret is set. The egress rules
/// allow loopback, private and link-local addresses: the operator chose the
/// destination. Not thread-safe (one call at a time, from one thread).
class node_client {
public:
  using clock = std::function<std::int64_t()>; ///< unix seconds, for X-Timestamp

  /// Checks the node URL (http or https, no query) and starts the client.
  /// Usage error for a bad URL.
  [[nodiscard]] static outcome<std::unique_ptr<node_client>> make(const global_options& options,
                                                                  clock now_unix = {});
  ~node_client();
  node_client(const node_client&) = delete;
  node_client& operator=(const node_client&) = delete;

  /// `target` is the path and query under the node's base URL ("/v3/admin/keys").
  /// Failures: node_error (a non-2xx answer, an answer that is not JSON or
  /// is too big), unreachable (connect, TLS, timeout, a broken answer),
  /// usage (the egress rules or the CA file refuse).
  [[nodiscard]] outcome<node_answer> call(std::string_view method, std::string_view target,
                                          const nlohmann::json* body = nullptr);

  /// The node's base URL as the operator gave it.
  [[nodiscard]] const std::string& node() const noexcept { return options_.node; }

private:
  node_client(global_options options, std::string base_path, clock now_unix);

  global_options options_;
  std::string base_path_; ///< path prefix of --node without the trailing '/'
  clock now_unix_;
  std::unique_ptr<net::outbound::http_client> client_;
};

} // namespace nzl::cli
