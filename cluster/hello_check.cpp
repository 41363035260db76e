#include "cluster/hello_check.hpp"

namespace nzl::cluster {

std::string hello_refusal(const hello_fields& mine, const hello_fields& theirs,
                          std::optional<std::string_view> manifest_region) {
  if (theirs.version != mine.version)
    return "peer " + theirs.node + " speaks cluster protocol " + std::to_string(theirs.version) +
           ", this node speaks " + std::to_string(mine.version);
  if (theirs.cluster != mine.cluster)
    return "peer " + theirs.node + " belongs to cluster '" + theirs.cluster + "', not '" +
           mine.cluster + "'";
  if (!manifest_region || *manifest_region != theirs.region)
    return "peer " + theirs.node + " (region " + theirs.region + ") is not in this node's manifest";
  return {};
}

} // namespace nzl::cluster
