#pragma once

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <functional>

namespace nzl::net {

/// The plugins a node runs, as net/ reaches them (`GET /v3/plugins`,
/// `POST /v3/admin/plugins/reload`). Implemented over plugins::plugin_host.
class plugin_service {
public:
  using json_handler = std::function<void(result<nlohmann::json>)>;
  virtual ~plugin_service() = default;

  /// Every plugin with its handlers (and their call counts and latency) and
  /// middleware.
  [[nodiscard]] virtual nlohmann::json describe() const = 0;

  /// Loads the plugin directories again; answers what loaded and what was
  /// refused, and why.
  virtual void reload(json_handler done) = 0;
};

} // namespace nzl::net
