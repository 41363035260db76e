#include "plugins/loader/plugin_host.hpp"

#include "core/log.hpp"

namespace nzl::plugins {

plugin_host::plugin_host(std::shared_ptr<handler_registry> registry, plugin_host_options options)
    : registry_(std::move(registry)), loader_(loader_options{std::move(options.directories)}) {}

nlohmann::json plugin_host::reload() {
  std::lock_guard guard{reload_mutex_};
  auto report = loader_.load(registry_->builtin_types(), registry_->builtin_middleware());
  auto loaded = nlohmann::json::array();
  for (const auto& p : report.loaded) {
    auto types = nlohmann::json::array();
    for (const auto& h : p.handlers)
      types.push_back(h->type());
    auto mws = nlohmann::json::array();
    for (const auto& m : p.middleware)
      mws.push_back(m->name());
    loaded.push_back({{"name", p.name},
                      {"version", p.version},
                      {"source", p.source},
                      {"handlers", std::move(types)},
                      {"middleware", std::move(mws)}});
  }
  auto refused = nlohmann::json::array();
  for (const auto& r : report.refused)
    refused.push_back({{"path", r.path}, {"reason", r.reason}});
  auto published = registry_->set_plugins(std::move(report.loaded));
  if (!published) {
    // The loader checks the same rules, so this means a built-in was added
    // since: keep the previous set rather than publish a conflicting one.
    log::emit(log::level::error, "plugin_reload_failed", R"("reason":{})",
              log::quote(published.err().detail));
    refused.push_back({{"path", "*"}, {"reason", published.err().detail}});
    loaded = nlohmann::json::array();
  }
  log::emit(log::level::info, "plugins_reloaded", R"("loaded":{},"refused":{})", loaded.size(),
            refused.size());
  return {{"loaded", std::move(loaded)},
          {"refused", std::move(refused)},
          {"types", registry_->types()}};
}

} // namespace nzl::plugins
