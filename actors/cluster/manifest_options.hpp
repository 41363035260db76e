#pragma once

#include "actors/cluster/cluster_service.hpp"
#include "config/manifest.hpp"
#include "plugins/handler_registry.hpp"

#include <memory>

namespace nzl::actors::cluster {

/// The cluster options of the node serving `self` in manifest `m`: every
/// other region is a peer (one node per region, named after it), routing and
/// timing from `m.cluster`. A task is idempotent (retried once elsewhere
/// when its node dies) when its handler runs it inline (cheap and pure, like
/// echo) or it says `options.idempotent: true`.
[[nodiscard]] result<cluster_options>
options_from_manifest(const config::manifest& m, const config::region_config& self,
                      std::shared_ptr<const plugins::handler_registry> handlers);

} // namespace nzl::actors::cluster
