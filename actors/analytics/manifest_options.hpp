#pragma once

#include "actors/analytics/analytics_hub.hpp"
#include "actors/webhook_dispatcher.hpp"
#include "config/manifest.hpp"

#include <filesystem>

namespace nzl::cluster {
class cluster_control;
} // namespace nzl::cluster

namespace nzl::actors::analytics {

/// The analytics options of the node `node` from manifest `m`: prices and
/// alert rules (`analytics.*`, parsed and checked here), alert sinks (the
/// `alerts` channel of `channels`, and `analytics.alert_webhook` through the
/// node's webhook client and secret, which must be enabled for it), peer
/// states and region_down from `cluster` (null: a single node), and the data
/// directory's size for storage costs. `errc::invalid_field` names the field.
[[nodiscard]] result<analytics_options>
options_from_manifest(const config::manifest& m, std::string node, const webhook_config& webhooks,
                      net::ws_service* channels, const nzl::cluster::cluster_control* cluster,
                      std::filesystem::path data_dir);

} // namespace nzl::actors::analytics
