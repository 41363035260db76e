#pragma once

#include <string>
#include <utility>
#include <variant>

namespace nzl::cli {

/// The process exit codes of `cloudagent`; scripts decide from these.
enum class exit_code : int {
  ok = 0,          ///< the command did what was asked
  node_error = 1,  ///< the node answered with an error (a problem document)
  usage = 2,       ///< the command line is wrong: fix it before running again
  unreachable = 3, ///< the node could not be reached (refused, timeout, TLS)
};

/// Why a command failed: the exit code and one line for stderr (without the
/// "error: " prefix). The CLI's own error type: the exit code is what its
/// callers (shell scripts) act on, and it has no HTTP face.
struct failure {
  exit_code code = exit_code::usage;
  std::string message;
};

[[nodiscard]] failure usage_error(std::string message);

/// A value or a `failure`, as `nzl::result` is a value or an `nzl::error`.
template <class T> class [[nodiscard]] outcome {
public:
  outcome(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  outcome(failure f) : state_(std::in_place_index<1>, std::move(f)) {}

  explicit operator bool() const noexcept { return state_.index() == 0; }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const failure& err() const& { return std::get<1>(state_); }
  failure&& err() && { return std::get<1>(std::move(state_)); }

private:
  std::variant<T, failure> state_;
};

/// For functions that only check: `outcome<done>`.
struct done {};

} // namespace nzl::cli
