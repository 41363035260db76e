#include "cluster/routing_table.hpp"

#include <algorithm>

namespace nzl::cluster {

result<routing_table> routing_table::make(routing_rules rules, std::vector<std::string> regions) {
  if (regions.empty())
    return fail(errc::invalid_field, "no regions to route to");
  routing_table t;
  t.regions_ = std::move(regions);
  auto known = [&](std::string_view r) {
    return t.has_region(r);
  };
  if (rules.default_region.empty())
    rules.default_region = t.regions_.front();
  if (!known(rules.default_region))
    return fail(errc::invalid_field,
                "routing default region '" + rules.default_region + "' is not a region");
  for (const auto& [country, region] : rules.countries)
    if (!known(region))
      return fail(errc::invalid_field,
                  "routing country " + country + " names unknown region '" + region + "'");
  for (const auto& [region, list] : rules.fallbacks) {
    if (!known(region))
      return fail(errc::invalid_field, "fallbacks of unknown region '" + region + "'");
    for (const auto& f : list)
      if (!known(f))
        return fail(errc::invalid_field,
                    "fallback '" + f + "' of region " + region + " is not a region");
  }
  t.rules_ = std::move(rules);
  return t;
}

bool routing_table::has_region(std::string_view region) const noexcept {
  return std::find(regions_.begin(), regions_.end(), region) != regions_.end();
}

const std::string& routing_table::home(std::string_view country) const {
  if (auto it = rules_.countries.find(country); it != rules_.countries.end())
    return it->second;
  return rules_.default_region;
}

std::vector<std::string> routing_table::candidates_from(std::string_view region) const {
  std::vector<std::string> out{std::string{region}};
  auto add = [&](const std::string& r) {
    if (std::find(out.begin(), out.end(), r) == out.end())
      out.push_back(r);
  };
  if (auto it = rules_.fallbacks.find(region); it != rules_.fallbacks.end()) {
    for (const auto& r : it->second)
      add(r);
  } else {
    // No list in the manifest: every other region, in manifest order.
    for (const auto& r : regions_)
      add(r);
  }
  return out;
}

namespace {

// A caller's region name for a message: quoted, unless too long to echo.
std::string shown(const std::string& name) {
  if (name.size() > 64)
    return "(a name of " + std::to_string(name.size()) + " characters)";
  return "'" + name + "'";
}

} // namespace

result<std::string> choose_region(const routing_table& table, const route_request& request,
                                  const std::function<bool(std::string_view)>& serving) {
  std::vector<std::string> list;
  if (request.pinned) {
    if (!table.has_region(*request.pinned))
      return fail(errc::invalid_field,
                  "options.region " + shown(*request.pinned) + " names no region of this cluster",
                  {{"field", "options.region"}, {"regions", table.regions()}});
    list = request.allow_fallback ? table.candidates_from(*request.pinned)
                                  : std::vector<std::string>{*request.pinned};
  } else {
    list = table.candidates_from(table.home(request.country));
  }
  for (const auto& r : list) {
    if (std::find(request.exclude.begin(), request.exclude.end(), r) != request.exclude.end())
      continue;
    if (serving(r))
      return r;
  }
  // `pinned_region` as well as `region`: the HTTP layer sets a task
  // problem's `region` to the node that answered, which hid the one pinned.
  if (request.pinned && !request.allow_fallback)
    return fail(
        errc::unavailable,
        "region " + *request.pinned +
            " is down or drained; set options.fallback to true to run elsewhere",
        {{"region", *request.pinned}, {"pinned_region", *request.pinned}, {"fallback", false}});
  return fail(errc::unavailable, "no region of this task's list is up", {{"regions_tried", list}});
}

} // namespace nzl::cluster
