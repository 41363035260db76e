#include "analytics/cost_model.hpp"

#include "analytics/sliding_window.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace nzl::analytics {

namespace {

constexpr double month_ms = 30.0 * 86'400'000.0;
constexpr double gb = 1e9;

template <class F> void for_each_field(price_model& p, F&& f) {
  f("base_monthly", p.base_monthly);
  f("per_million_requests", p.per_million_requests);
  f("included_requests", p.included_requests);
  f("per_million_cpu_ms", p.per_million_cpu_ms);
  f("included_cpu_ms", p.included_cpu_ms);
  f("per_million_queue_requests", p.per_million_queue_requests);
  f("included_queue_requests", p.included_queue_requests);
  f("per_million_gb_s", p.per_million_gb_s);
  f("included_gb_s", p.included_gb_s);
  f("per_million_rows_read", p.per_million_rows_read);
  f("included_rows_read", p.included_rows_read);
  f("per_million_rows_written", p.per_million_rows_written);
  f("included_rows_written", p.included_rows_written);
  f("per_gb_month_storage", p.per_gb_month_storage);
  f("included_storage_gb", p.included_storage_gb);
  f("per_gb_transfer", p.per_gb_transfer);
  f("queue_memory_gb", p.queue_memory_gb);
  f("queue_requests_per_task", p.queue_requests_per_task);
  f("rows_written_per_task", p.rows_written_per_task);
  f("rows_read_per_task", p.rows_read_per_task);
  f("queue_active_ms_per_request", p.queue_active_ms_per_request);
}

struct quantities {
  double requests = 0, cpu_ms = 0, queue_requests = 0, gb_s = 0, rows_read = 0, rows_written = 0,
         transfer_gb = 0;
};

quantities quantities_of(const usage& u, const price_model& p) {
  quantities q;
  q.requests = static_cast<double>(u.count);
  q.cpu_ms = static_cast<double>(u.latency_us_sum) / 1000.0;
  const double durable = static_cast<double>(u.durable);
  q.queue_requests = durable * p.queue_requests_per_task;
  q.gb_s = q.queue_requests * p.queue_active_ms_per_request / 1000.0 * p.queue_memory_gb;
  q.rows_read = durable * p.rows_read_per_task;
  q.rows_written = durable * p.rows_written_per_task;
  q.transfer_gb = static_cast<double>(u.bytes_out) / gb;
  return q;
}

cost_breakdown price(const quantities& q, const price_model& p, bool allowances) {
  auto over = [&](double used, double included) {
    return allowances ? std::max(0.0, used - included) : used;
  };
  cost_breakdown c;
  c.requests = over(q.requests, p.included_requests) / 1e6 * p.per_million_requests;
  c.cpu = over(q.cpu_ms, p.included_cpu_ms) / 1e6 * p.per_million_cpu_ms;
  c.queue_requests =
      over(q.queue_requests, p.included_queue_requests) / 1e6 * p.per_million_queue_requests;
  c.queue_duration = over(q.gb_s, p.included_gb_s) / 1e6 * p.per_million_gb_s;
  c.queue_rows = over(q.rows_read, p.included_rows_read) / 1e6 * p.per_million_rows_read +
                 over(q.rows_written, p.included_rows_written) / 1e6 * p.per_million_rows_written;
  c.transfer = q.transfer_gb * p.per_gb_transfer;
  return c;
}

} // namespace

result<price_model> price_model::from_json(const nlohmann::json& j) {
  if (!j.is_object())
    return fail(errc::invalid_field, "analytics.prices must be an object",
                {{"field", "analytics.prices"}});
  price_model p;
  std::size_t known = 0;
  std::string bad;
  for_each_field(p, [&](const char* name, double& field) {
    auto it = j.find(name);
    if (it == j.end())
      return;
    ++known;
    if (!it->is_number() || !std::isfinite(it->get<double>()) || it->get<double>() < 0 ||
        it->get<double>() > 1e12) {
      bad = name;
      return;
    }
    field = it->get<double>();
  });
  if (!bad.empty())
    return fail(errc::invalid_field, "analytics.prices." + bad + " must be a number 0..1e12",
                {{"field", "analytics.prices." + bad}});
  if (known != j.size())
    return fail(errc::invalid_field, "analytics.prices has an unknown field",
                {{"field", "analytics.prices"}});
  return p;
}

nlohmann::json price_model::to_json() const {
  auto j = nlohmann::json::object();
  auto copy = *this;
  for_each_field(copy, [&](const char* name, double& field) { j[name] = field; });
  return j;
}

double cost_breakdown::total() const noexcept {
  return requests + cpu + queue_requests + queue_duration + queue_rows + storage + transfer + base;
}

nlohmann::json cost_breakdown::to_json() const {
  return {{"requests", requests},
          {"cpu", cpu},
          {"queue_requests", queue_requests},
          {"queue_duration", queue_duration},
          {"queue_rows", queue_rows},
          {"storage", storage},
          {"transfer", transfer},
          {"base", base},
          {"total", total()}};
}

cost_breakdown gross_cost(const usage& u, const price_model& prices) {
  return price(quantities_of(u, prices), prices, false);
}

cost_report estimate_costs(const aggregator& agg, std::int64_t window_ms, std::int64_t now_ms,
                           const price_model& prices, std::uint64_t stored_bytes) {
  cost_report r;
  r.window_ms = window_ms;
  auto by_cost = [](const cost_line& a, const cost_line& b) {
    const auto ta = a.cost.total(), tb = b.cost.total();
    return ta != tb ? ta > tb : a.name < b.name;
  };
  for (auto& k : agg.keys(window_ms, now_ms))
    r.by_key.push_back(cost_line{k.key, k.use, gross_cost(k.use, prices)});
  std::sort(r.by_key.begin(), r.by_key.end(), by_cost);

  std::map<std::string, usage> types;
  usage total;
  // The bill counts each request once: HTTP requests and WebSocket messages
  // are the requests; tasks add only their durable work (the task a request
  // ran is that request again).
  for (const auto& s : agg.snapshot(window_ms, now_ms)) {
    if (s.kind == sample_kind::task) {
      types[s.type].merge(s.use);
      total.durable += s.use.durable;
    } else {
      total.merge(s.use);
    }
  }
  for (auto& [name, u] : types)
    r.by_type.push_back(cost_line{name, u, gross_cost(u, prices)});
  std::sort(r.by_type.begin(), r.by_type.end(), by_cost);

  const double stored_gb = static_cast<double>(stored_bytes) / gb;
  const double months = static_cast<double>(window_ms) / month_ms;
  r.window_total = gross_cost(total, prices);
  r.window_total.storage = stored_gb * prices.per_gb_month_storage * months;

  // Thirty days at the window's rate.
  const double scale = month_ms / static_cast<double>(std::max<std::int64_t>(window_ms, 1));
  auto q = quantities_of(total, prices);
  for (double* v : {&q.requests, &q.cpu_ms, &q.queue_requests, &q.gb_s, &q.rows_read,
                    &q.rows_written, &q.transfer_gb})
    *v *= scale;
  r.monthly = price(q, prices, true);
  r.monthly.storage =
      std::max(0.0, stored_gb - prices.included_storage_gb) * prices.per_gb_month_storage;
  r.monthly.base = prices.base_monthly;
  return r;
}

nlohmann::json to_json(const cost_report& r, std::size_t max_lines) {
  // A line's monthly figure: its gross cost at the window's rate for 30 days
  // (no allowances, no base fee: those belong to the whole bill).
  const double scale = month_ms / static_cast<double>(std::max<std::int64_t>(r.window_ms, 1));
  auto lines = [&](const std::vector<cost_line>& v, const char* name_field) {
    auto arr = nlohmann::json::array();
    for (std::size_t i = 0; i < v.size() && i < max_lines; ++i)
      arr.push_back({{name_field, v[i].name},
                     {"requests", v[i].use.count},
                     {"durable", v[i].use.durable},
                     {"bytes_out", v[i].use.bytes_out},
                     {"cost", v[i].cost.total()},
                     {"monthly", v[i].cost.total() * scale},
                     {"breakdown", v[i].cost.to_json()}});
    return arr;
  };
  return {{"window", window_text(r.window_ms)},       {"currency", "USD"},
          {"by_key", lines(r.by_key, "key")},         {"by_type", lines(r.by_type, "type")},
          {"window_total", r.window_total.to_json()}, {"monthly_projection", r.monthly.to_json()}};
}

} // namespace nzl::analytics
