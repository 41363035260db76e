#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace nzl::net::outbound::testing {

/// A self-signed certificate and its key, written as PEM into a directory.
struct test_certificate {
  std::string cert_file;
  std::string key_file;
  std::int64_t not_after = 0; ///< Unix seconds
};

/// Makes a self-signed P-256 certificate whose subjectAltName is `san`
/// (OpenSSL syntax, e.g. "IP:127.0.0.1,DNS:localhost"), valid for a day.
test_certificate make_certificate(const std::filesystem::path& dir, const std::string& name,
                                  const std::string& san);

/// A temporary directory, removed with its contents on destruction.
class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }

private:
  std::filesystem::path path_;
};

/// An HTTP/1.1 server on 127.0.0.1 (port chosen by the kernel) with one
/// thread, for the client's tests. It answers by path:
///   /ok               200 "hello" (with X-Test: yes)
///   /echo             200, the raw request (head and body) as the body
///   /status/500       500 "boom"
///   /huge             200 with a 1 MiB body
///   /chunked          200 chunked, "chunk-one,chunk-two,chunk-three"
///   /until-close      200 without Content-Length, "read until close"
///   /redirect/N       302 to /redirect/N-1; /redirect/0 is 200 "landed"
///   /see-other        303 to /echo;  /temporary 307 to /echo
///   /to-v6            302 to http://[::1]:<port>/ok
///   /bad-location     302 to ftp://example.invalid/
///   /slow             never answers (reads until the client closes)
///   /garbage          a line that is not HTTP, then close
///   /close            close without an answer
class loopback_server {
public:
  /// Plain HTTP, or HTTPS with the given certificate.
  explicit loopback_server(const test_certificate* tls = nullptr);
  ~loopback_server();
  loopback_server(const loopback_server&) = delete;
  loopback_server& operator=(const loopback_server&) = delete;

  std::uint16_t port() const;
  /// Connections accepted so far.
  std::size_t connections() const;
  /// Blocks until `n` connections were accepted (false after 60 s: a
  /// guard against hanging, not a timing assumption).
  bool wait_for_connections(std::size_t n) const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace nzl::net::outbound::testing
