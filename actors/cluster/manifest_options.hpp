#pragma once

#include "actors/cluster/cluster_service.hpp"
#include "config/manifest.hpp"
#include "plugins/handler_registry.hpp"

#include <memory>

namespace nzl::actors::cluster {

/// The cluster options of the node `self` (an entry of `m.regions`): every
/// other entry is a peer node (named by its `node`, default its region's
/// name; several may share a region), routing and timing from `m.cluster`. A task is idempotent
/// (retried once elsewhere when its node dies) when its handler runs it inline (cheap and pure,
/// like echo) or it says `options.idempotent: true`.
[[nodiscard]] result<cluster_options>
options_from_manifest(const config::manifest& m, const config::region_config& self,
                      std::shared_ptr<const plugins::handler_registry> handlers);

/// The entry this process runs, from `--node` and `--region`: the entry
/// named `node` (whose region must be `region` when both are given); else
/// the only entry of `region`, or the entry whose node is named `region`
/// (so tools that name a node by --region keep working). `invalid_field`
/// names the flag and lists the choices (a region with several nodes needs
/// --node).
[[nodiscard]] result<const config::region_config*>
select_node(const config::manifest& m, std::string_view node, std::string_view region);

} // namespace nzl::actors::cluster
