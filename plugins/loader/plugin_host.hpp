#pragma once

#include "plugins/handler_registry.hpp"
#include "plugins/loader/plugin_loader.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

namespace nzl::plugins {

struct plugin_host_options {
  /// The manifest's `plugins.directories`.
  std::vector<std::filesystem::path> directories;
};

/// Owns the node's plugin set: the registry (with the built-ins already
/// added) plus the external plugins found in the directories. `reload` loads
/// them and swaps the registry's plugin part in one atomic step; tasks that
/// are running finish with the code they started with (libraries are never
/// unloaded).
///
/// Thread safety: `reload` calls are serialised by an internal mutex and
/// block on the file system and the dynamic linker (run them on a blocking
/// thread, not an io or scheduler thread); `describe` and the registry may be
/// used from any thread at any time.
class plugin_host {
public:
  plugin_host(std::shared_ptr<handler_registry> registry, plugin_host_options options);

  /// Loads every plugin of the directories (again) and publishes built-ins +
  /// plugins. Returns what happened, for the reload endpoint and the CLI:
  /// `{"loaded":[{"name","version","source","handlers":[type...],
  /// "middleware":[name...]}],"refused":[{"path","reason"}],"types":[...]}`.
  /// A refused plugin never stops the others or the node.
  nlohmann::json reload();

  /// The body of `GET /v3/plugins` (see `handler_registry::describe`).
  [[nodiscard]] nlohmann::json describe() const { return registry_->describe(); }

  /// The registry to hand to the node runtime.
  [[nodiscard]] const std::shared_ptr<handler_registry>& registry() const noexcept {
    return registry_;
  }

private:
  std::shared_ptr<handler_registry> registry_;
  std::mutex reload_mutex_; // serialises reloads (operator actions), never on a task's path
  plugin_loader loader_;
};

} // namespace nzl::plugins
