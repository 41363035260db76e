#pragma once

#include "net/api.hpp"
#include "net/http_server.hpp"
#include "tests/unit/net/fake_task_service.hpp"

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace nzl::test {

/// An `http_server` on 127.0.0.1 (or `host`), port 0, over a fake task
/// service, that keeps a copy of every request it hands to the api.
class test_server {
public:
  explicit test_server(net::server_options options);
  ~test_server();

  /// Starts the server; the port, or the server's error.
  [[nodiscard]] result<std::uint16_t> start();

  /// Copies of the requests received so far, oldest first.
  [[nodiscard]] std::vector<net::http_request> requests() const;

  [[nodiscard]] net::http_server& server() noexcept { return *server_; }

private:
  net::testing::fake_task_service service_;
  net::api api_;
  mutable std::mutex mutex_; // guards requests_ (written on io threads)
  std::vector<net::http_request> requests_;
  std::unique_ptr<net::http_server> server_;
};

/// What a child process printed (stdout and stderr) and how it ended.
struct command_result {
  int exit_code = -1;
  std::string output;
};

/// Runs `command` through /bin/sh with stdin from /dev/null.
[[nodiscard]] command_result run_command(const std::string& command);

/// Single-quotes `s` for /bin/sh.
[[nodiscard]] std::string sh_quote(const std::string& s);

/// True when the named program runs (`program --version` or `program version`).
[[nodiscard]] bool have_program(const std::string& program);

/// A self-signed P-256 certificate for 127.0.0.1 and localhost, made with the
/// openssl CLI into `dir`: cert.pem and key.pem; other_key.pem is a second key
/// that matches no certificate. nullopt (with the CLI's output in `why`) when
/// the CLI failed.
struct test_certificate {
  std::filesystem::path cert;
  std::filesystem::path key;
  std::filesystem::path other_key;
};
[[nodiscard]] std::optional<test_certificate> make_certificate(const std::filesystem::path& dir,
                                                               std::string& why);

} // namespace nzl::test
