#include "plugins/handler_registry.hpp"

#include "plugins/builtin/echo_handler.hpp"
#include "plugins/builtin/json_validator_handler.hpp"

namespace nzl::plugins {

bool handler_registry::add(std::shared_ptr<task_handler> handler) {
  std::string name{handler->type()};
  return handlers_.emplace(std::move(name), std::move(handler)).second;
}

task_handler* handler_registry::find(std::string_view type) const noexcept {
  auto i = handlers_.find(type);
  return i == handlers_.end() ? nullptr : i->second.get();
}

std::vector<std::string> handler_registry::types() const {
  std::vector<std::string> out;
  out.reserve(handlers_.size());
  for (const auto& entry : handlers_)
    out.push_back(entry.first);
  return out;
}

void add_builtin_handlers(handler_registry& registry) {
  registry.add(std::make_shared<builtin::echo_handler>());
  registry.add(std::make_shared<builtin::json_validator_handler>());
}

} // namespace nzl::plugins
