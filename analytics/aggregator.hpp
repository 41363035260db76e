#pragma once

#include "analytics/name_table.hpp"
#include "analytics/recorder.hpp"
#include "analytics/sliding_window.hpp"
#include "analytics/summary.hpp"
#include "analytics/usage.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nzl::analytics {

// The analytics aggregator of one node. It drains the recorder and keeps:
//
//  - per series (kind × type × region × status class; kind is http, task or
//    websocket, type the task type, route or message type): a sliding window of
//    latency histograms and counters (sliding_window.hpp) and lifetime totals
//    (for /metrics, whose counters must only grow);
//  - per API key: a sliding window of counters (costs, top keys, rate-limit
//    refusals);
//  - per error cluster (error code × type × region): a sliding window of counters.
//
// Each table is capped (options); samples for a new series, key or cluster
// beyond the cap are counted in `overflow()` and folded into the "other"
// entry (id 0), so memory stays bounded whatever names clients send. Series
// idle for 24 h are dropped by `prune`.
//
// Names are resolved through the three name tables the recorder's callers
// intern into. A plain class; not thread-safe: exactly one owner (the
// analytics actor) calls it. A crash loses all of it: analytics are not durable.

class aggregator {
public:
  struct options {
    std::size_t max_series = 4'096;
    std::size_t max_keys = 10'000;
    std::size_t max_error_clusters = 1'024;
  };

  /// The tables must outlive the aggregator.
  aggregator(const name_table& types, const name_table& regions, const name_table& keys);
  aggregator(const name_table& types, const name_table& regions, const name_table& keys,
             options opts);

  /// Adds one sample (at `s.at_ms`, or `now_ms` when that is 0).
  void add(const sample& s, std::int64_t now_ms);

  /// Drains `rec` and adds what it held; returns how many samples.
  std::size_t drain(recorder& rec, std::int64_t now_ms);

  /// Every series over the window ending at `now_ms` (empty ones left out).
  [[nodiscard]] std::vector<series_snapshot> snapshot(std::int64_t window_ms,
                                                      std::int64_t now_ms) const;

  /// `GET /v3/analytics` for this node: query_json(summarize(snapshot)),
  /// of one kind of sample only when `kind` is given.
  [[nodiscard]] nlohmann::json query(std::int64_t window_ms, unsigned group_by, std::int64_t now_ms,
                                     std::optional<sample_kind> kind = std::nullopt) const;

  /// What a peer sends for a cluster query: export_json(snapshot(window)).
  [[nodiscard]] nlohmann::json export_series(std::int64_t window_ms, std::int64_t now_ms) const;

  /// Every series since start (lifetime totals; for Prometheus).
  [[nodiscard]] std::vector<series_snapshot> lifetime() const;

  struct key_usage {
    std::string key;
    usage use;
  };
  /// Usage per API key over the window (anonymous requests left out): its
  /// HTTP requests and WebSocket messages, plus the durable tasks it queued
  /// (`durable`; a task sample is otherwise the same request counted again).
  [[nodiscard]] std::vector<key_usage> keys(std::int64_t window_ms, std::int64_t now_ms) const;

  struct error_cluster {
    std::string code; ///< nzl::errc name, or "http_<status>" when none was given
    std::string type;
    std::string region;
    std::uint64_t count = 0;
  };
  /// Errors (4xx and 5xx) over the window by code, type and region, most first.
  [[nodiscard]] std::vector<error_cluster> errors(std::int64_t window_ms,
                                                  std::int64_t now_ms) const;

  /// One slot of a timeline.
  struct point {
    std::int64_t start_ms = 0;
    latency_histogram hist;
    usage use;
  };
  /// The slots of `window_ms`'s tier (or of tier `tier` when given) for the
  /// series matching `type` and `region` (empty: any) and `kind` (nullopt:
  /// any), oldest first; slots
  /// without samples appear with zero counts so gaps show.
  [[nodiscard]] std::vector<point> timeline(std::string_view type, std::string_view region,
                                            std::int64_t window_ms, std::int64_t now_ms,
                                            std::size_t tier = SIZE_MAX,
                                            std::optional<sample_kind> kind = std::nullopt) const;

  /// Drops series, keys and clusters without samples in the last 24 h.
  void prune(std::int64_t now_ms);

  [[nodiscard]] std::size_t series_count() const noexcept { return series_.size(); }
  [[nodiscard]] std::size_t key_count() const noexcept { return keys_.size(); }
  /// Samples folded into "other" because a table was full.
  [[nodiscard]] std::uint64_t overflow() const noexcept { return overflow_; }
  /// Samples too old for their slots.
  [[nodiscard]] std::uint64_t late() const noexcept { return late_; }
  /// Samples added so far.
  [[nodiscard]] std::uint64_t samples() const noexcept { return samples_; }
  /// The time of the earliest sample added (0: none yet): what came before
  /// was not observed, so it is no history (anomaly_detector::scan).
  [[nodiscard]] std::int64_t first_sample_ms() const noexcept { return first_sample_ms_; }
  /// Bytes held (tables, slots and histogram buckets).
  [[nodiscard]] std::size_t memory_bytes() const noexcept;

private:
  struct series_state {
    sliding_window<series_cell> window;
    series_cell total;
  };

  const name_table& types_;
  const name_table& regions_;
  const name_table& keys_table_;
  options opts_;
  std::unordered_map<std::uint64_t, series_state> series_;
  std::unordered_map<std::uint16_t, sliding_window<usage>> keys_;
  std::unordered_map<std::uint64_t, sliding_window<usage>> errors_;
  std::vector<sample> drain_buffer_;
  std::uint64_t overflow_ = 0;
  std::uint64_t late_ = 0;
  std::uint64_t samples_ = 0;
  std::int64_t first_sample_ms_ = 0;
};

} // namespace nzl::analytics
