#pragma once

#include "plugins/abi/noizylab_plugin.h"
#include "plugins/middleware.hpp"
#include "plugins/task_handler.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace nzl::plugins {

/// The largest output a plugin may hand back (a result, a payload, an error
/// object); a larger one becomes an `errc::internal` error.
inline constexpr std::size_t max_plugin_output_bytes = 64u << 20;

/// The error a plugin's JSON error object stands for:
/// `{"status": 422, "code": "task_failed", "detail": "...", "extensions": {}}`.
/// Known codes map to themselves (invalid_field, task_failed, task_cancelled,
/// task_timeout, upstream_failed, overloaded, unavailable, internal); others
/// by status (400 invalid_field, 429 overloaded, 502 upstream_failed, 503
/// unavailable, 504 task_timeout, other 5xx internal, else task_failed). Text
/// that is not such an object is the plugin's bug: `errc::internal`. The
/// detail is cut to 1 KiB; extensions over 8 KiB are dropped; the extension
/// `plugin` names the plugin.
[[nodiscard]] error error_from_plugin(std::string_view plugin, std::string_view text);

/// The host callbacks handed to every plugin call; `nzl_host_ctx*` is the
/// call's `handler_context*`.
[[nodiscard]] const nzl_host_api& host_api() noexcept;

/// A `task_handler` over one handler of a C-ABI plugin: the payload crosses
/// as JSON text, the result comes back as JSON text and is parsed (bounded).
/// A C++ exception escaping the plugin (undefined behaviour by the ABI rules,
/// but caught here when the toolchains agree) becomes an `errc::internal`
/// error. `plugin` and `handler` must outlive this object (the library is
/// never unloaded).
class c_handler final : public task_handler {
public:
  c_handler(const nzl_plugin_desc& plugin, const nzl_handler_desc& handler);

  std::string_view type() const noexcept override { return type_; }
  result<nlohmann::json> run(nlohmann::json payload, handler_context& ctx) override;

private:
  const nzl_plugin_desc& plugin_;
  const nzl_handler_desc& handler_;
  std::string plugin_name_;
  std::string type_;
};

/// A `middleware` over one middleware of a C-ABI plugin (same rules as
/// `c_handler`). A hook the plugin left NULL passes its input through.
class c_middleware final : public middleware {
public:
  c_middleware(const nzl_plugin_desc& plugin, const nzl_middleware_desc& mw);

  std::string_view name() const noexcept override { return name_; }
  std::int32_t order() const noexcept override { return order_; }
  result<nlohmann::json> before_task(std::string_view type, nlohmann::json payload,
                                     handler_context& ctx) override;
  result<nlohmann::json> after_task(std::string_view type, result<nlohmann::json> outcome,
                                    handler_context& ctx) override;

private:
  const nzl_plugin_desc& plugin_;
  const nzl_middleware_desc& mw_;
  std::string plugin_name_;
  std::string name_;
  std::int32_t order_;
};

} // namespace nzl::plugins
