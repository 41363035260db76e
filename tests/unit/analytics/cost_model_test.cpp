#include "analytics/cost_model.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace nzl::analytics {
namespace {

TEST(AnalyticsCostTest, GrossCostFollowsThePriceList) {
  usage u;
  u.count = 2'000'000;
  u.latency_us_sum = 1'000'000'000; // 1e6 ms
  u.durable = 1'000'000;
  u.bytes_out = 0;
  const price_model p;
  const auto c = gross_cost(u, p);
  EXPECT_NEAR(c.requests, 2 * 0.30, 1e-9);
  EXPECT_NEAR(c.cpu, 1 * 0.02, 1e-9);
  EXPECT_NEAR(c.queue_requests, 3 * 0.15, 1e-9);
  // 3e6 DO requests x 5 ms x 0.128 GB = 1920 GB-s.
  EXPECT_NEAR(c.queue_duration, 1920.0 / 1e6 * 12.5, 1e-9);
  EXPECT_NEAR(c.queue_rows, 1 * 0.001 + 3 * 1.00, 1e-9);
  EXPECT_EQ(c.transfer, 0);
  EXPECT_NEAR(c.total(), c.requests + c.cpu + c.queue_requests + c.queue_duration + c.queue_rows,
              1e-12);
}

TEST(AnalyticsCostTest, PricesFromManifestOverrideDefaults) {
  auto p = price_model::from_json({{"per_million_requests", 0.5}, {"per_gb_transfer", 0.09}});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->per_million_requests, 0.5);
  EXPECT_EQ(p->per_gb_transfer, 0.09);
  EXPECT_EQ(p->per_million_cpu_ms, 0.02);
  EXPECT_FALSE(price_model::from_json({{"per_million_requests", -1}}));
  EXPECT_FALSE(price_model::from_json({{"per_million_requests", "1"}}));
  EXPECT_FALSE(price_model::from_json({{"bogus", 1}}));
  EXPECT_FALSE(price_model::from_json(nlohmann::json::array()));
  EXPECT_EQ(price_model::from_json(price_model{}.to_json())->to_json(), price_model{}.to_json());
}

TEST(AnalyticsCostTest, PerKeyPerTypeAndMonthlyProjection) {
  name_table types, regions, keys;
  aggregator agg{types, regions, keys};
  const std::int64_t now = 1'700'000'000'000;
  // One hour: 36 000 requests running a 10 ms task for k_big, 9 000 requests
  // queueing a durable task for k_small. Each request is an HTTP sample and
  // its task a task sample, as the node records them.
  for (int i = 0; i < 36'000; ++i) {
    const std::int64_t at = now - 3'500'000 + i * 90;
    agg.add(sample{.at_ms = at,
                   .latency_us = 10'000,
                   .response_bytes = 1'000,
                   .type_id = types.intern("tasks_run"),
                   .key_id = keys.intern("k_big"),
                   .kind = sample_kind::http},
            now);
    agg.add(sample{.at_ms = at,
                   .latency_us = 10'000,
                   .type_id = types.intern("echo"),
                   .key_id = keys.intern("k_big"),
                   .kind = sample_kind::task},
            now);
  }
  for (int i = 0; i < 9'000; ++i) {
    const std::int64_t at = now - 3'500'000 + i * 360;
    agg.add(sample{.at_ms = at,
                   .latency_us = 500,
                   .status = 202,
                   .type_id = types.intern("tasks_run"),
                   .key_id = keys.intern("k_small"),
                   .kind = sample_kind::http},
            now);
    agg.add(sample{.at_ms = at,
                   .latency_us = 10'000,
                   .type_id = types.intern("text-analysis"),
                   .key_id = keys.intern("k_small"),
                   .kind = sample_kind::task,
                   .flags = flag_durable},
            now);
  }
  const auto r = estimate_costs(agg, 3'600'000, now, price_model{}, 10'000'000'000);
  ASSERT_EQ(r.by_key.size(), 2u);
  ASSERT_EQ(r.by_type.size(), 2u);
  // Durable work costs more per task: k_small comes first despite fewer requests.
  EXPECT_EQ(r.by_key[0].name, "k_small");
  EXPECT_EQ(r.by_type[0].name, "text-analysis");
  // Regression: a request and the task it ran were two requests (a key's
  // count and the bill doubled). Now each request counts once, and a key's
  // durable tasks still count as durable work.
  EXPECT_EQ(r.by_key[0].use.count, 9'000u);
  EXPECT_EQ(r.by_key[0].use.durable, 9'000u);
  EXPECT_EQ(r.by_key[1].use.count, 36'000u);
  // 45 000 requests/h -> 32.4 M/month: 22.4 M over the allowance at $0.30/M.
  EXPECT_NEAR(r.monthly.requests, (45'000.0 * 720 - 10e6) / 1e6 * 0.30, 1e-6);
  // 10 GB stored, 5 GB included.
  EXPECT_NEAR(r.monthly.storage, 5 * 0.20, 1e-9);
  // Regression: rows were billed from the first one. 9 000 durable tasks/h
  // write 27 000 rows/h = 19.44 M/month, within the 50 M included (reads:
  // 6.48 M of 25 billion).
  EXPECT_EQ(r.monthly.queue_rows, 0.0);
  EXPECT_GT(r.window_total.queue_rows, 0.0); // gross figures stay gross
  EXPECT_EQ(r.monthly.base, 5.0);
  const auto j = to_json(r);
  EXPECT_EQ(j["window"], "1h");
  EXPECT_EQ(j["by_key"][0]["key"], "k_small");
  // Per key and per type, a monthly projection too (the issue asks for both):
  // the line's gross cost at this hour's rate for 30 days.
  EXPECT_NEAR(j["by_key"][0]["monthly"].get<double>(), r.by_key[0].cost.total() * 720, 1e-9);
  EXPECT_NEAR(j["by_type"][1]["monthly"].get<double>(), r.by_type[1].cost.total() * 720, 1e-9);
  EXPECT_GT(j["monthly_projection"]["total"].get<double>(), 5.0);
}

} // namespace
} // namespace nzl::analytics
