#pragma once

#include "apps/cloudagent/outcome.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nzl::cli::shell {

/// Where the shell connects and with what.
struct link_options {
  std::string host;
  std::uint16_t port = 0;
  std::chrono::milliseconds timeout{10000}; ///< connect, and each command
  /// Cluster TLS (all three or none): the operator's certificate and key,
  /// and the cluster CA. The certificate and key also sign every command
  /// (docs/shell.md "Identity").
  std::string cert_file;
  std::string key_file;
  std::string ca_file;
  std::string identity; ///< sent with every command ("local:<uid>")
};

/// A node's answer to one command.
struct command_answer {
  int status = 0; ///< 0 done, 1 refused by the node, 2 usage, 3 identity refused
  nlohmann::json body;
  std::string error;
  /// Who the node ran (or refused) the command as: the certificate subject
  /// with TLS, "local:<uid>" without, "unverified:..." when refused.
  std::string identity;
};

/// "HOST:PORT" or "[V6]:PORT" of --node; usage error otherwise (an http
/// URL is the HTTP API's, not the operator endpoint).
[[nodiscard]] outcome<link_options> parse_endpoint(const std::string& text);

/// The shell's connection to a node's operator actor over CAF (caf::io, or
/// caf::openssl with TLS), from a client process: the connect and every
/// command wait on the calling thread with a deadline; the remote actor is
/// monitored, so a node that dies ends a pending command at once. Not
/// thread-safe: one command at a time from one thread.
class operator_link {
public:
  /// Connects; usage (exit 2) when the certificate or key cannot be loaded
  /// for signing; unreachable (exit 3) on refusal, timeout, TLS failure or
  /// a port that is not an operator endpoint.
  [[nodiscard]] static outcome<std::unique_ptr<operator_link>> connect(link_options options);
  ~operator_link();
  operator_link(const operator_link&) = delete;
  operator_link& operator=(const operator_link&) = delete;

  /// Sends one command; unreachable when the node died or did not answer
  /// within the timeout (the link is then gone: later calls fail at once).
  [[nodiscard]] outcome<command_answer> call(const std::vector<std::string>& words);

private:
  struct impl;
  explicit operator_link(std::unique_ptr<impl> d);
  std::unique_ptr<impl> impl_;
};

} // namespace nzl::cli::shell
