#pragma once

// A synchronous-looking WebSocket client for integration tests (Beast):
// every operation bounded by running its own io_context for at most a
// timeout. Header-only so that only the tests that include it pay Beast's
// compile time.
#include "tests/support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace nzl::test {

class ws_client {
public:
  /// Connects to 127.0.0.1:`port` and upgrades `target` with `key` as bearer.
  bool connect(std::uint16_t port, std::string target = "/v3/ws",
               std::string key = std::string{test_admin_key}) {
    namespace beast = boost::beast;
    namespace websocket = beast::websocket;
    boost::asio::ip::tcp::endpoint ep{boost::asio::ip::make_address("127.0.0.1"), port};
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().connect(ep, ec);
    if (ec)
      return false;
    ws_.set_option(websocket::stream_base::decorator([key](websocket::request_type& req) {
      if (!key.empty())
        req.set(beast::http::field::authorization, "Bearer " + key);
    }));
    ws_.read_message_max(64 * 1024 * 1024);
    bool done = false;
    ws_.async_handshake(res_, "127.0.0.1", target, [&](beast::error_code e) {
      ec = e;
      done = true;
    });
    run(done, std::chrono::seconds(5));
    return done && !ec;
  }

  /// The HTTP status of the upgrade answer (101 when it succeeded).
  [[nodiscard]] unsigned handshake_status() const { return res_.result_int(); }

  bool send(const nlohmann::json& doc) { return send_text(doc.dump()); }
  bool send_text(const std::string& text) {
    boost::beast::error_code ec;
    ws_.text(true);
    ws_.write(boost::asio::buffer(text), ec);
    return !ec;
  }

  /// The next message, or nullopt on timeout or close (see wait_close).
  std::optional<nlohmann::json> recv(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    boost::beast::flat_buffer buffer;
    boost::beast::error_code ec;
    bool done = false;
    ws_.async_read(buffer, [&](boost::beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    run(done, timeout);
    if (!done) {
      boost::beast::get_lowest_layer(ws_).cancel();
      run(done, std::chrono::seconds(1));
      return std::nullopt;
    }
    if (ec) {
      closed_ = true;
      return std::nullopt;
    }
    return nlohmann::json::parse(boost::beast::buffers_to_string(buffer.data()), nullptr, false);
  }

  /// The next message of `type` (skipping others), or nullopt.
  std::optional<nlohmann::json>
  recv_type(std::string_view type, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      auto m = recv(std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now()));
      if (!m)
        return std::nullopt;
      if ((*m)["type"] == type)
        return m;
    }
    return std::nullopt;
  }

  /// Reads until the server closes; the close code (0: not closed in time).
  unsigned wait_close(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (!closed_ && std::chrono::steady_clock::now() < until)
      recv(std::chrono::duration_cast<std::chrono::milliseconds>(until -
                                                                 std::chrono::steady_clock::now()));
    return closed_ ? ws_.reason().code : 0;
  }

private:
  void run(bool& done, std::chrono::milliseconds timeout) {
    ioc_.restart();
    auto until = std::chrono::steady_clock::now() + timeout;
    while (!done && std::chrono::steady_clock::now() < until)
      ioc_.run_one_for(std::chrono::milliseconds(10));
  }

  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_{ioc_};
  boost::beast::websocket::response_type res_;
  bool closed_ = false;
};

} // namespace nzl::test
