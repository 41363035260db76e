#pragma once

#include <string>
#include <string_view>

namespace nzl::cluster {

/// A durable task lives on a node of the region it was routed to, and its id
/// says which: "<region>.<uuid>". Ids are at most 64 characters (the storage
/// key bound), so a region name too long for that leaves the plain uuid
/// (such a task is then found only on the node that stores it).
[[nodiscard]] std::string make_home_id(std::string_view region, std::string_view uuid);

/// The region named by a task id, or empty for an id without one.
[[nodiscard]] std::string_view home_of(std::string_view id) noexcept;

} // namespace nzl::cluster
