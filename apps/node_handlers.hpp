#pragma once

#include "config/manifest.hpp"
#include "plugins/handler_registry.hpp"

#include <memory>

namespace nzl::apps {

/// Registers every built-in task handler of the node (echo, json-validator,
/// text-analysis, image-metadata, api-tester, smart-routing, auto) with the
/// bounds the manifest gives them. Outbound calls (api-tester, image URLs)
/// go through a client bound by the manifest's egress rules.
[[nodiscard]] result<bool>
register_builtin_handlers(const std::shared_ptr<plugins::handler_registry>& registry,
                          const config::manifest& manifest);

} // namespace nzl::apps
