#include "cluster/task_home.hpp"

namespace nzl::cluster {

namespace {
constexpr std::size_t max_id = 64;
} // namespace

std::string make_home_id(std::string_view region, std::string_view uuid) {
  if (region.empty() || region.size() + 1 + uuid.size() > max_id)
    return std::string{uuid};
  std::string id;
  id.reserve(region.size() + 1 + uuid.size());
  id += region;
  id += '.';
  id += uuid;
  return id;
}

std::string_view home_of(std::string_view id) noexcept {
  // Region names are [a-z0-9-] (manifest schema): no '.' in them.
  auto dot = id.find('.');
  if (dot == std::string_view::npos || dot == 0)
    return {};
  return id.substr(0, dot);
}

} // namespace nzl::cluster
