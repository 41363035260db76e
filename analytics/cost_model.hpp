#pragma once

#include "analytics/aggregator.hpp"
#include "core/result.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace nzl::analytics {

// Cost estimation with the original design's price model: what the measured
// traffic would cost on Cloudflare Workers + Durable Objects (the platform
// this runtime is the C++ counterpart of). Defaults are Cloudflare's published
// Workers Paid (Standard) and Durable Objects prices; docs/analytics.md lists
// each with its source. The manifest may override any figure.
//
// How usage maps onto the price list (estimates, stated so they can be argued
// with):
//  - every HTTP request and WebSocket message is one Workers request; a
//    task sample is not (the request that ran it was counted) and adds only
//    its durable work below; per-type lines price a type's tasks as requests;
//  - CPU time is the measured latency (wall time; an upper bound of CPU time);
//  - a durable task costs `queue_requests_per_task` Durable Object requests,
//    `rows_written_per_task` rows written and `rows_read_per_task` rows read
//    (the queue writes it queued, running and final) and keeps its queue object
//    active `queue_active_ms_per_request` per request, at `queue_memory_gb`;
//  - stored bytes (a gauge the node passes in) cost storage per GB-month;
//  - response bytes cost `per_gb_transfer` (0: Workers charge no egress).
// Per-key and per-type figures are gross (no included allowances); the monthly
// projection scales the window to 30 days and then applies the allowances and
// the base fee.

struct price_model {
  double base_monthly = 5.00;               ///< Workers Paid plan, USD per month
  double per_million_requests = 0.30;       ///< Workers requests beyond the included
  double included_requests = 10e6;          ///< per month
  double per_million_cpu_ms = 0.02;         ///< Workers CPU time beyond the included
  double included_cpu_ms = 30e6;            ///< per month
  double per_million_queue_requests = 0.15; ///< Durable Object requests
  double included_queue_requests = 1e6;
  double per_million_gb_s = 12.50; ///< Durable Object duration
  double included_gb_s = 400e3;
  double per_million_rows_read = 0.001; ///< SQLite-backed DO storage
  double included_rows_read = 25e9;     ///< per month
  double per_million_rows_written = 1.00;
  double included_rows_written = 50e6; ///< per month
  double per_gb_month_storage = 0.20;
  double included_storage_gb = 5;
  double per_gb_transfer = 0.0;
  double queue_memory_gb = 0.128; ///< a Durable Object is billed for 128 MB
  double queue_requests_per_task = 3;
  double rows_written_per_task = 3;
  double rows_read_per_task = 1;
  double queue_active_ms_per_request = 5;

  /// The manifest's `analytics.prices` object: any of the fields above by
  /// name, each a finite number >= 0 (at most 1e12). Unknown fields and bad
  /// values are `errc::invalid_field`.
  [[nodiscard]] static result<price_model> from_json(const nlohmann::json& j);
  [[nodiscard]] nlohmann::json to_json() const;
};

/// USD by price-list line.
struct cost_breakdown {
  double requests = 0;
  double cpu = 0;
  double queue_requests = 0;
  double queue_duration = 0;
  double queue_rows = 0;
  double storage = 0;
  double transfer = 0;
  double base = 0;
  [[nodiscard]] double total() const noexcept;
  [[nodiscard]] nlohmann::json to_json() const;
};

/// Gross cost of `u` (no allowances, no storage, no base fee).
[[nodiscard]] cost_breakdown gross_cost(const usage& u, const price_model& prices);

struct cost_line {
  std::string name;
  usage use;
  cost_breakdown cost;
};

struct cost_report {
  std::int64_t window_ms = 0;
  std::vector<cost_line> by_key;  ///< most expensive first
  std::vector<cost_line> by_type; ///< task types, most expensive first
  cost_breakdown window_total;    ///< gross over the window, storage prorated
  cost_breakdown monthly;         ///< projected bill for 30 days at this rate
};

/// Estimates the costs of the window ending at `now_ms`; `stored_bytes` is
/// what the node's data directory holds now.
[[nodiscard]] cost_report estimate_costs(const aggregator& agg, std::int64_t window_ms,
                                         std::int64_t now_ms, const price_model& prices,
                                         std::uint64_t stored_bytes);

/// `{window, currency, by_key: [{key, requests, durable, bytes_out, cost,
/// monthly, breakdown}], by_type: [{type, ...}], window_total: {...},
/// monthly_projection: {...}}`; at most `max_lines` per list. A line's
/// `monthly` is its gross `cost` scaled from the window to 30 days.
[[nodiscard]] nlohmann::json to_json(const cost_report& r, std::size_t max_lines = 50);

} // namespace nzl::analytics
