#pragma once

#include "analytics/latency_histogram.hpp"
#include "analytics/sample.hpp"
#include "core/result.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace nzl::analytics {

/// Counters of a set of samples; adds and merges exactly.
struct usage {
  std::uint64_t count = 0;
  std::uint64_t client_errors = 0; ///< 4xx
  std::uint64_t server_errors = 0; ///< 5xx
  std::uint64_t rate_limited = 0;  ///< refused by a rate limit
  std::uint64_t durable = 0;       ///< went through a durable queue
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t latency_us_sum = 0;

  void add(const sample& s) noexcept;
  void merge(const usage& o) noexcept;
  /// server_errors / count (0 when empty).
  [[nodiscard]] double error_rate() const noexcept;
  [[nodiscard]] nlohmann::json to_json() const;
  /// `errc::invalid_field` unless every field is a non-negative integer.
  [[nodiscard]] static result<usage> from_json(const nlohmann::json& j);
  friend bool operator==(const usage&, const usage&) = default;
};

/// One slot of a series: its latency histogram and counters.
struct series_cell {
  latency_histogram hist;
  usage use;
  void merge(const series_cell& o) {
    hist.merge(o.hist);
    use.merge(o.use);
  }
};

[[nodiscard]] std::string_view to_string(status_class c) noexcept;
/// Parses "ok", "client_error", "server_error".
[[nodiscard]] result<status_class> parse_status_class(std::string_view text);

} // namespace nzl::analytics
