#include "tests/support/tcp_probe.hpp"

#include <cstdio>
#include <fstream>
#include <string>

namespace nzl::test {

std::optional<std::size_t> server_unread_bytes(std::uint16_t server_port,
                                               std::uint16_t client_port) {
  constexpr unsigned loopback = 0x0100007F; // 127.0.0.1 as /proc/net/tcp prints it
  std::ifstream in{"/proc/net/tcp"};
  std::string line;
  std::getline(in, line); // column titles
  while (std::getline(in, line)) {
    unsigned local_addr = 0, local_port = 0, remote_addr = 0, remote_port = 0, state = 0;
    unsigned long tx_queue = 0, rx_queue = 0;
    if (std::sscanf(line.c_str(), " %*u: %8X:%4X %8X:%4X %2X %8lX:%8lX", &local_addr, &local_port,
                    &remote_addr, &remote_port, &state, &tx_queue, &rx_queue) != 7)
      continue;
    if (local_addr == loopback && local_port == server_port && remote_addr == loopback &&
        remote_port == client_port)
      return static_cast<std::size_t>(rx_queue);
  }
  return std::nullopt;
}

} // namespace nzl::test
