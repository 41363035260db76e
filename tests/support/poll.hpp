#pragma once

#include <chrono>
#include <thread>

namespace nzl::test {

/// Polls `condition` every 10 ms until it holds or `bound` passes; returns its
/// last value. For waiting on a state (a process exit, a file's content),
/// never on time itself.
template <class Condition> bool eventually(Condition condition, std::chrono::milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    if (condition())
      return true;
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

} // namespace nzl::test
