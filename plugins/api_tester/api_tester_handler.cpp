// api-tester's run loop. Design:
// - The executor thread that runs the task owns the loop: it starts checks
//   on the outbound client (at most `concurrency` in flight), waits for
//   completions, judges them and reports progress; ctx is only touched on
//   this thread.
// - Completions arrive on the client's threads and go into a small inbox
//   (a mutex-guarded vector and a condition variable) shared through a
//   shared_ptr: when run() stops early (cancelled), late completions still
//   have somewhere to go and the inbox dies with the last of them.
// - Cancellation is polled every 50 ms while waiting, since the context
//   offers no notification.
#include "plugins/api_tester/api_tester_handler.hpp"

#include "net/outbound/http_client.hpp"

#include <condition_variable>
#include <ctime>
#include <mutex>
#include <utility>
#include <vector>

namespace nzl::plugins::api_tester {

using nlohmann::json;
namespace outbound = net::outbound;
using steady = std::chrono::steady_clock;

namespace {

struct completion {
  std::size_t index;
  result<outbound::outbound_response> outcome;
  steady::time_point at;
};

// Filled by the client's threads, drained by run().
struct inbox {
  std::mutex mutex; // guards `done`
  std::condition_variable ready;
  std::vector<completion> done;
};

} // namespace

api_tester_handler::api_tester_handler(std::shared_ptr<outbound::http_client> client,
                                       api_tester_limits limits, clock_fn now_unix)
    : client_(std::move(client)), limits_(limits), now_unix_(std::move(now_unix)) {
  if (!now_unix_)
    now_unix_ = [] {
      return static_cast<std::int64_t>(std::time(nullptr));
    };
}

result<json> api_tester_handler::run(json payload, handler_context& ctx) {
  auto plan = parse_plan(payload, limits_);
  if (!plan)
    return std::move(plan).err();
  if (!client_)
    return fail(errc::unavailable, "api-tester has no outbound client on this node");
  const auto n = plan->checks.size();
  auto box = std::make_shared<inbox>();
  std::vector<steady::time_point> started(n);
  std::vector<json> judged(n);
  std::size_t next = 0;
  std::size_t in_flight = 0;
  std::size_t finished = 0;
  std::vector<completion> batch;
  while (finished < n) {
    if (ctx.cancelled())
      return fail(errc::task_cancelled,
                  "api-tester was cancelled after " + std::to_string(finished) + " of " +
                      std::to_string(n) + " checks",
                  {{"completed", finished}, {"total", n}});
    while (in_flight < plan->concurrency && next < n) {
      auto i = next++;
      ++in_flight;
      started[i] = steady::now();
      client_->send(to_request(plan->checks[i], limits_.max_response_bytes),
                    [box, i](result<outbound::outbound_response> r) {
                      {
                        std::lock_guard guard{box->mutex};
                        box->done.push_back({i, std::move(r), steady::now()});
                      }
                      box->ready.notify_one();
                    });
    }
    {
      std::unique_lock lock{box->mutex};
      box->ready.wait_for(lock, cancel_poll_, [&] { return !box->done.empty(); });
      batch.swap(box->done);
    }
    for (auto& c : batch) {
      double waited = std::chrono::duration<double, std::milli>(c.at - started[c.index]).count();
      judged[c.index] = judge(plan->checks[c.index], c.outcome, waited, now_unix_());
      --in_flight;
      ++finished;
      ctx.progress(static_cast<int>(finished * 100 / n),
                   "checked endpoints[" + std::to_string(c.index) + "]");
    }
    batch.clear();
  }
  auto summary = summarise(judged);
  return json{{"endpoints", std::move(judged)}, {"summary", std::move(summary)}};
}

} // namespace nzl::plugins::api_tester
