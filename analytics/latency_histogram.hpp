#pragma once

#include "core/result.hpp"

#include <nlohmann/json_fwd.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace nzl::analytics {

// A mergeable latency histogram in the manner of HdrHistogram: log-linear
// buckets over microseconds. Values below 2^sub_bucket_bits (32 µs) each have
// their own bucket; every power-of-two range [2^k, 2^(k+1)) above is split
// into 2^sub_bucket_bits (32) equal buckets of width 2^(k-5). A percentile is
// answered with the middle of the bucket that holds the nearest-rank sample,
// clamped to [min, max], so it differs from the exact nearest-rank percentile
// of the same data by at most half a bucket: a relative error of at most
// 2^-(sub_bucket_bits+1) = 1/64 (1.5625 %). Values at or above
// max_trackable_us (2^36 µs, ~19 h) are recorded as max_trackable_us - 1.
//
// Storage is sparse: a sorted vector of the non-zero buckets (8 bytes each),
// so a histogram of one narrow latency band stays small. Merging two histograms
// gives exactly the histogram of the union of their samples, which is why
// cluster-wide percentiles are computed by merging, never by averaging.
//
// A plain value type; not thread-safe (one owner).

/// Sub-bucket resolution: 2^5 buckets per power of two.
inline constexpr unsigned sub_bucket_bits = 5;
/// Largest exponent tracked: values < 2^36 µs.
inline constexpr unsigned max_exponent = 36;
inline constexpr std::uint64_t max_trackable_us = std::uint64_t{1} << max_exponent;
/// Number of distinct buckets (1024).
inline constexpr std::size_t bucket_count =
    (max_exponent - sub_bucket_bits + 1) * (std::size_t{1} << sub_bucket_bits);
/// The documented bound on a percentile's relative error (1/64).
inline constexpr double max_relative_error = 1.0 / (1u << (sub_bucket_bits + 1));

/// Index of the bucket holding `value_us` (clamped to max_trackable_us - 1).
[[nodiscard]] std::uint32_t bucket_index(std::uint64_t value_us) noexcept;
/// Smallest value of bucket `index` (index < bucket_count).
[[nodiscard]] std::uint64_t bucket_lower(std::uint32_t index) noexcept;
/// Width of bucket `index` in µs (1 for the exact buckets).
[[nodiscard]] std::uint64_t bucket_width(std::uint32_t index) noexcept;

class latency_histogram {
public:
  /// A non-zero bucket, packed in 8 bytes: the index in the top 16 bits,
  /// the count in the low 48 (2.8e14 samples; merges saturate there).
  struct bucket {
    std::uint64_t bits = 0;
    static constexpr std::uint64_t count_mask = (std::uint64_t{1} << 48) - 1;
    static bucket make(std::uint32_t index, std::uint64_t count) noexcept {
      return bucket{(std::uint64_t{index} << 48) | std::min(count, count_mask)};
    }
    [[nodiscard]] std::uint32_t index() const noexcept {
      return static_cast<std::uint32_t>(bits >> 48);
    }
    [[nodiscard]] std::uint64_t count() const noexcept { return bits & count_mask; }
    void add(std::uint64_t n) noexcept { *this = make(index(), count() + n); }
    friend bool operator==(const bucket&, const bucket&) = default;
  };

  /// Adds `n` samples of `value_us`.
  void record(std::uint64_t value_us, std::uint64_t n = 1);

  /// Adds every sample of `other`; afterwards this histogram equals one that
  /// recorded both sets of samples.
  void merge(const latency_histogram& other);

  /// The value at percentile `p` (0..100; clamped) by nearest rank, within
  /// max_relative_error; 0 when empty.
  [[nodiscard]] double percentile(double p) const noexcept;

  /// How many samples are <= `value_us`, counting whole buckets whose upper
  /// end is <= value_us (Prometheus `le` buckets; exact at bucket bounds).
  [[nodiscard]] std::uint64_t count_at_or_below(std::uint64_t value_us) const noexcept;

  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] std::uint64_t sum() const noexcept { return sum_; }
  [[nodiscard]] std::uint64_t min() const noexcept { return count_ == 0 ? 0 : min_; }
  [[nodiscard]] std::uint64_t max() const noexcept { return max_; }
  [[nodiscard]] double mean() const noexcept;
  [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
  [[nodiscard]] const std::vector<bucket>& buckets() const noexcept { return buckets_; }

  /// Bytes this histogram holds on the heap and inline.
  [[nodiscard]] std::size_t memory_bytes() const noexcept;

  void clear() noexcept;

  /// Compact JSON: `{"s":5,"n":count,"sum":..,"min":..,"max":..,"b":[[index,count],...]}`
  /// with only the non-zero buckets, in ascending index order.
  [[nodiscard]] nlohmann::json to_json() const;

  /// Parses `to_json`'s form, as received from another node: checks the
  /// resolution, that indices ascend below bucket_count, counts are positive
  /// and add up to `n`, and min <= max. `errc::invalid_field` otherwise.
  [[nodiscard]] static result<latency_histogram> from_json(const nlohmann::json& j);

  friend bool operator==(const latency_histogram&, const latency_histogram&) = default;

private:
  std::vector<bucket> buckets_;
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = 0;
  std::uint64_t max_ = 0;
};

} // namespace nzl::analytics
