#pragma once

#include "analytics/prometheus.hpp"

#include <vector>

namespace nzl::actors {
class node_runtime;
} // namespace nzl::actors

namespace nzl::actors::analytics {

/// Appends this node's queue gauges for GET /metrics:
/// `nzl_queue_tasks{queue,state="waiting"|"running"}` for every durable
/// queue and `nzl_executor_queue_depth` (jobs waiting for an executor). Reads
/// counters the actors keep (node_runtime::queue_depths): no round trip, so
/// a scrape never waits on a busy queue.
void append_queue_metrics(const node_runtime& runtime,
                          std::vector<nzl::analytics::extra_metric>& out);

} // namespace nzl::actors::analytics
