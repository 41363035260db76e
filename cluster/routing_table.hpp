#pragma once

#include "core/result.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::cluster {

/// The manifest's routing rules: a home region per country (ISO 3166-1
/// alpha-2, upper case), a default home, and an ordered fallback list per
/// region.
struct routing_rules {
  std::map<std::string, std::string, std::less<>> countries;
  std::string default_region; ///< empty: the first region
  std::map<std::string, std::vector<std::string>, std::less<>> fallbacks;
};

/// Where a task should run, before health is known: its ordered list of
/// regions. Immutable after make(); safe to share between threads.
class routing_table {
public:
  /// Checks that every region named exists in `regions` (the manifest's
  /// order, used when a region has no fallback list).
  [[nodiscard]] static result<routing_table> make(routing_rules rules,
                                                  std::vector<std::string> regions);

  /// The home region of `country` (the default for unknown or empty ones).
  [[nodiscard]] const std::string& home(std::string_view country) const;

  /// `region` followed by its fallbacks, without repeats.
  [[nodiscard]] std::vector<std::string> candidates_from(std::string_view region) const;

  [[nodiscard]] const std::vector<std::string>& regions() const noexcept { return regions_; }
  [[nodiscard]] bool has_region(std::string_view region) const noexcept;

private:
  routing_rules rules_;
  std::vector<std::string> regions_;
};

/// What the caller asked for.
struct route_request {
  std::string country;               ///< may be empty
  std::optional<std::string> pinned; ///< options.region
  bool allow_fallback = false;       ///< options.fallback (only with pinned)
  std::vector<std::string> exclude;  ///< regions already tried (a retry)
};

/// Picks the first serving region of the task's list. Errors: an unknown
/// pinned region (invalid_field), a pinned region that is down without
/// fallback, or no serving region at all (unavailable, with the list tried).
[[nodiscard]] result<std::string>
choose_region(const routing_table& table, const route_request& request,
              const std::function<bool(std::string_view)>& serving);

} // namespace nzl::cluster
