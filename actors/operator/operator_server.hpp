#pragma once

#include "actors/operator/operator_commands.hpp"
#include "core/result.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace nzl::actors::operator_shell {

/// Where and how the operator actor listens (manifest `regions[].operator`).
struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0; ///< 0: the kernel chooses (tests); see port()
  /// Cluster TLS (all three or none): caf::openssl with mutual certificate
  /// checks against the cluster CA. Without it only a loopback host is
  /// allowed (start() refuses any other).
  std::string cert_file;
  std::string key_file;
  std::string ca_file;
  [[nodiscard]] bool tls() const noexcept { return !cert_file.empty(); }
};

/// True for 127.0.0.0/8, ::1 and "localhost".
[[nodiscard]] bool is_loopback_host(const std::string& host) noexcept;

/// The node's operator endpoint: one actor in an actor system of its own (1
/// scheduler thread, 1 middleman worker) published with caf::io (or
/// caf::openssl), forwarding each command to `operator_commands`. The actor
/// never blocks: hooks answer through callbacks and the actor's response
/// promise. Thread-safe; CAF stays in the .cpp.
class operator_server {
public:
  operator_server(server_options options, operator_hooks hooks);
  ~operator_server();
  operator_server(const operator_server&) = delete;
  operator_server& operator=(const operator_server&) = delete;

  /// Publishes the actor; the port it listens on. invalid_field when the
  /// host is not loopback without TLS, or TLS files are missing; the
  /// middleman's error when it cannot listen.
  [[nodiscard]] result<std::uint16_t> start();

  /// Stops the actor and the actor system; idempotent.
  void stop();

  /// Mailbox size of the operator actor when it took its last command (for
  /// `actors`), 0 before start. Safe from any thread.
  [[nodiscard]] std::size_t mailbox_size() const noexcept;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace nzl::actors::operator_shell
