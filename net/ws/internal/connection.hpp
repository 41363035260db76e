#pragma once

// Beast types: included only by net/http_server.cpp and net/ws/connection.cpp.
#include "net/ws/token_store.hpp"

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <memory>

namespace nzl::net::ws {
class ws_hub;
}

namespace nzl::net::ws::internal {

using upgrade_request = boost::beast::http::request<boost::beast::http::string_body>;

/// What the server's drain needs of a WebSocket connection.
class drainable {
public:
  virtual ~drainable() = default;
  /// On any thread: write what is queued, then close with 1001 (going away).
  virtual void drain() = 0;
};

/// Takes over `stream` after the server admitted `request` (a WebSocket
/// upgrade), answers the handshake and runs the connection for `grant`.
/// `keep` is held until the connection ends (the server counts connections
/// by it). The stream must have no expiry set (WebSocket timeouts apply).
std::shared_ptr<drainable> start(boost::beast::tcp_stream&& stream, upgrade_request&& request,
                                 ws_hub& hub, ws_grant grant, std::shared_ptr<void> keep);
std::shared_ptr<drainable> start(boost::beast::ssl_stream<boost::beast::tcp_stream>&& stream,
                                 upgrade_request&& request, ws_hub& hub, ws_grant grant,
                                 std::shared_ptr<void> keep);

} // namespace nzl::net::ws::internal
