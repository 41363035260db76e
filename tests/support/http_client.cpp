// The tests' HTTP client. The only Beast translation unit of the test support
// (Beast headers cost ~40 s a unit): every operation is an Asio async
// operation run on the client's own io_context with `run_for(timeout)`, so a
// server that never answers fails the call instead of hanging the test.
#include "tests/support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>

namespace nzl::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono;

namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_peer_close(const beast::error_code& ec) noexcept {
  return ec == asio::error::eof || ec == http::error::end_of_stream ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == http::error::partial_message;
}

constexpr std::size_t max_reply_body = 64 * 1024 * 1024;

} // namespace

std::string http_reply::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name))
      return value;
  return {};
}

bool http_reply::has_header(std::string_view name) const {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return iequals(h.first, name); });
}

nlohmann::json http_reply::json() const {
  return nlohmann::json::parse(body, nullptr, false);
}

struct http_client::impl {
  impl(std::uint16_t p, milliseconds t) : port(p), timeout(t) {}

  // Runs the io_context until the operation started before the call has
  // completed (`done`) or `bound` passed; on time-out cancels the operation and
  // lets it complete with operation_aborted. Returns false on time-out.
  bool run(const bool& done, milliseconds bound) {
    ioc.restart();
    ioc.run_for(bound);
    if (done)
      return true;
    beast::error_code ignored;
    socket.cancel(ignored);
    ioc.restart();
    ioc.run();
    return false;
  }

  void fail(std::string_view what, const beast::error_code& ec) {
    error = std::string{what} + ": " + ec.message();
    if (is_peer_close(ec))
      peer_closed = true;
  }

  std::uint16_t port;
  milliseconds timeout;
  asio::io_context ioc;
  tcp::socket socket{ioc};
  beast::flat_buffer buffer;
  bool peer_closed = false;
  std::string error;
};

http_client::http_client(std::uint16_t port, milliseconds timeout)
    : impl_(std::make_unique<impl>(port, timeout)) {}

http_client::~http_client() {
  close();
}

bool http_client::connect() {
  auto& d = *impl_;
  close();
  d.peer_closed = false;
  d.buffer.clear();
  tcp::endpoint endpoint{asio::ip::make_address_v4("127.0.0.1"), d.port};
  bool done = false;
  beast::error_code result;
  d.socket.async_connect(endpoint, [&](beast::error_code ec) {
    result = ec;
    done = true;
  });
  if (!d.run(done, d.timeout)) {
    d.error = "connect: timed out";
    close();
    return false;
  }
  if (result) {
    d.error = "connect: " + result.message();
    close();
    return false;
  }
  beast::error_code ignored;
  d.socket.set_option(tcp::no_delay(true), ignored);
  return true;
}

bool http_client::is_open() const noexcept {
  return impl_->socket.is_open() && !impl_->peer_closed;
}

std::uint16_t http_client::local_port() const noexcept {
  beast::error_code ec;
  auto endpoint = impl_->socket.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

std::optional<http_reply> http_client::request(std::string_view method, std::string_view target,
                                               std::string_view body, const header_list& headers) {
  auto& d = *impl_;
  if (!is_open() && !connect())
    return std::nullopt;
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, "127.0.0.1:" + std::to_string(d.port));
  bool has_content_type = false;
  bool has_credentials = false;
  for (const auto& [name, value] : headers) {
    req.insert(name, value);
    has_content_type = has_content_type || iequals(name, "Content-Type");
    has_credentials =
        has_credentials || iequals(name, "Authorization") || iequals(name, "X-API-Key");
  }
  if (!has_credentials && !api_key_.empty())
    req.set(http::field::authorization, "Bearer " + api_key_);
  if (!body.empty() && !has_content_type)
    req.set(http::field::content_type, "application/json");
  req.body() = std::string{body};
  req.prepare_payload();

  bool done = false;
  beast::error_code result;
  http::async_write(d.socket, req, [&](beast::error_code ec, std::size_t) {
    result = ec;
    done = true;
  });
  if (!d.run(done, d.timeout)) {
    d.error = "write: timed out";
    return std::nullopt;
  }
  if (result) {
    d.fail("write", result);
    return std::nullopt;
  }
  return read_reply(iequals(method, "HEAD"));
}

std::optional<http_reply> http_client::post(std::string_view target, std::string_view body,
                                            const header_list& headers) {
  return request("POST", target, body, headers);
}

bool http_client::send_raw(std::string_view raw) {
  auto& d = *impl_;
  if (!is_open() && !connect())
    return false;
  // The API key goes after every request line ("... HTTP/1.1\r\n"), unless
  // the bytes carry credentials themselves (see set_api_key).
  std::string with_key;
  std::string_view bytes = raw;
  if (!api_key_.empty() && raw.find("Authorization:") == std::string_view::npos &&
      raw.find("X-API-Key:") == std::string_view::npos) {
    const std::string line = "Authorization: Bearer " + api_key_ + "\r\n";
    std::size_t from = 0;
    for (auto at = raw.find(" HTTP/1.1\r\n"); at != std::string_view::npos;
         at = raw.find(" HTTP/1.1\r\n", from)) {
      const auto end = at + 11;
      with_key.append(raw.substr(from, end - from)).append(line);
      from = end;
    }
    with_key.append(raw.substr(from));
    bytes = with_key;
  }
  bool done = false;
  beast::error_code result;
  asio::async_write(d.socket, asio::buffer(bytes.data(), bytes.size()),
                    [&](beast::error_code ec, std::size_t) {
                      result = ec;
                      done = true;
                    });
  if (!d.run(done, d.timeout)) {
    d.error = "write: timed out";
    return false;
  }
  if (result) {
    d.fail("write", result);
    return false;
  }
  return true;
}

std::optional<http_reply> http_client::read_reply(bool head_only) {
  auto& d = *impl_;
  if (!d.socket.is_open()) {
    d.error = "read: not connected";
    return std::nullopt;
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_reply_body);
  parser.skip(head_only);
  bool done = false;
  beast::error_code result;
  http::async_read(d.socket, d.buffer, parser, [&](beast::error_code ec, std::size_t) {
    result = ec;
    done = true;
  });
  if (!d.run(done, d.timeout)) {
    d.error = "read: timed out";
    return std::nullopt;
  }
  if (result) {
    d.fail("read", result);
    return std::nullopt;
  }
  auto& msg = parser.get();
  http_reply reply;
  reply.status = msg.result_int();
  for (const auto& field : msg)
    reply.headers.emplace_back(std::string{field.name_string()}, std::string{field.value()});
  reply.body = std::move(msg.body());
  reply.keep_alive = msg.keep_alive();
  return reply;
}

bool http_client::wait_closed(milliseconds bound) {
  auto& d = *impl_;
  if (!d.socket.is_open() || d.peer_closed)
    return true;
  d.buffer.clear();
  const auto deadline = steady_clock::now() + bound;
  std::array<char, 4096> scratch{};
  for (;;) {
    auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
    if (left <= milliseconds::zero())
      return false;
    bool done = false;
    beast::error_code result;
    d.socket.async_read_some(asio::buffer(scratch), [&](beast::error_code ec, std::size_t) {
      result = ec;
      done = true;
    });
    if (!d.run(done, left))
      return false;
    if (result) {
      d.peer_closed = true;
      if (!is_peer_close(result))
        d.error = "read: " + result.message();
      return true;
    }
  }
}

void http_client::close() {
  beast::error_code ignored;
  if (impl_->socket.is_open()) {
    impl_->socket.shutdown(tcp::socket::shutdown_both, ignored);
    impl_->socket.close(ignored);
  }
}

const std::string& http_client::error() const noexcept {
  return impl_->error;
}

} // namespace nzl::test
