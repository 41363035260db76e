#pragma once

#include "core/error.hpp"

#include <cassert>
#include <utility>
#include <variant>

namespace nzl {

/// A value or an `nzl::error`; the return type of every fallible function
/// outside the actors (actors turn it into `caf::error` at their boundary).
template <class T> class [[nodiscard]] result {
public:
  result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  result(error err) : state_(std::in_place_index<1>, std::move(err)) {}

  explicit operator bool() const noexcept { return state_.index() == 0; }
  bool has_value() const noexcept { return state_.index() == 0; }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  error& err() & { return std::get<1>(state_); }
  const error& err() const& { return std::get<1>(state_); }
  error&& err() && { return std::get<1>(std::move(state_)); }

private:
  std::variant<T, error> state_;
};

/// Shorthand for building an error result: `return fail(errc::invalid_field, "...")`.
inline error fail(errc code, std::string detail,
                  nlohmann::json extensions = nlohmann::json::object()) {
  return error{code, std::move(detail), std::move(extensions)};
}

} // namespace nzl
