#include "actors/analytics/queue_metrics.hpp"

#include "actors/node_runtime.hpp"

namespace nzl::actors::analytics {

void append_queue_metrics(const node_runtime& runtime,
                          std::vector<nzl::analytics::extra_metric>& out) {
  out.push_back({"nzl_executor_queue_depth",
                 "gauge",
                 "jobs waiting for an executor on this node",
                 {},
                 static_cast<double>(runtime.executor_queue_depth())});
  for (const auto& q : runtime.queue_depths()) {
    out.push_back({"nzl_queue_tasks",
                   "gauge",
                   "tasks of a durable queue on this node, waiting (queued or delayed) or running",
                   {{"queue", q.queue}, {"state", "waiting"}},
                   static_cast<double>(q.waiting)});
    out.push_back({"nzl_queue_tasks",
                   "gauge",
                   "tasks of a durable queue on this node, waiting (queued or delayed) or running",
                   {{"queue", q.queue}, {"state", "running"}},
                   static_cast<double>(q.running)});
  }
}

} // namespace nzl::actors::analytics
