#pragma once

#include "plugins/task_handler.hpp"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::plugins {

/// The task handlers a node knows, by type name. Filled at start, then only
/// read (from any thread): it is shared as `shared_ptr<const handler_registry>`.
class handler_registry {
public:
  /// Adds a handler; false if its type name is taken.
  bool add(std::shared_ptr<task_handler> handler);

  /// The handler for `type`, or nullptr.
  [[nodiscard]] task_handler* find(std::string_view type) const noexcept;

  /// Every registered type name, sorted.
  [[nodiscard]] std::vector<std::string> types() const;

private:
  std::map<std::string, std::shared_ptr<task_handler>, std::less<>> handlers_;
};

/// Registers every built-in handler (echo, ...).
void add_builtin_handlers(handler_registry& registry);

} // namespace nzl::plugins
