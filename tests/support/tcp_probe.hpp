#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace nzl::test {

/// Bytes the kernel holds unread on the server's end of the IPv4 loopback
/// connection between 127.0.0.1:server_port and 127.0.0.1:client_port (the
/// rx_queue column of /proc/net/tcp): 0 once the server has read everything
/// the client sent. nullopt when no such connection exists.
[[nodiscard]] std::optional<std::size_t> server_unread_bytes(std::uint16_t server_port,
                                                             std::uint16_t client_port);

} // namespace nzl::test
