#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace nzl::cli::testing {

/// One request as the fake node received it.
struct recorded_request {
  std::string method;
  std::string target; ///< path and query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// The first header of that name (case-insensitive), or "".
  [[nodiscard]] std::string header(std::string_view name) const;
  [[nodiscard]] std::string path() const { return target.substr(0, target.find('?')); }
};

/// A canned answer; `hang` reads the request and never answers.
struct canned_answer {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  bool hang = false;
};

/// A tiny HTTP/1.1 server on 127.0.0.1 (kernel-chosen port) with one thread,
/// one connection at a time, Connection: close. Answers by "METHOD /path"
/// (query ignored); answers queued for one route are used in order, the
/// last one repeats. Unknown routes get a 404 problem document.
class fake_node {
public:
  fake_node();
  ~fake_node();
  fake_node(const fake_node&) = delete;
  fake_node& operator=(const fake_node&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  [[nodiscard]] std::string url() const;
  void answer(const std::string& route, canned_answer a);
  [[nodiscard]] std::vector<recorded_request> requests() const;
  /// Blocks until `n` requests arrived (false after 60 s: a guard against
  /// hanging, not a timing assumption).
  [[nodiscard]] bool wait_for_requests(std::size_t n) const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace nzl::cli::testing
