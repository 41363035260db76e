#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nzl::cluster {

/// Who a node says it is in the first message of a link (both ways).
struct hello_fields {
  std::uint32_t version = 0; ///< cluster protocol version
  std::string cluster;       ///< the manifest's cluster name
  std::string node;
  std::string region;
};

/// Why this node (`mine`) refuses a peer's hello (`theirs`), or empty to
/// accept it. `manifest_region` is the region this node's manifest gives the
/// peer's node name (nullopt: not in the manifest). The reasons, checked in
/// this order, name both sides: another protocol version, another cluster,
/// a node not in the manifest or in another region.
[[nodiscard]] std::string hello_refusal(const hello_fields& mine, const hello_fields& theirs,
                                        std::optional<std::string_view> manifest_region);

} // namespace nzl::cluster
