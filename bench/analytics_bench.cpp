// Cost of measuring: what the hot path pays per sample (record into the
// thread's ring), what the analytics actor pays per sample (drain + add),
// and the aggregator's memory per series.
#include "analytics/aggregator.hpp"
#include "analytics/name_table.hpp"
#include "analytics/prometheus.hpp"
#include "analytics/recorder.hpp"

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

namespace {

using namespace nzl::analytics;

constexpr std::int64_t t0 = 1'700'000'000'000;

// The hot path: one sample into this thread's ring; drained every 4096 so
// the ring never fills (the drain is outside the timed region).
void BM_RecordSample(benchmark::State& state) {
  recorder rec;
  std::vector<sample> out;
  out.reserve(8192);
  sample s{.latency_us = 1234, .status = 200, .type_id = 1, .region_id = 1, .key_id = 1};
  std::size_t n = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(rec.record(s));
    if (++n % 4096 == 0) {
      state.PauseTiming();
      out.clear();
      (void)rec.drain(out);
      state.ResumeTiming();
    }
  }
}
BENCHMARK(BM_RecordSample)->Threads(1)->Threads(2);

// Interning a task type or key id on the hot path (a lookup of a known name).
void BM_InternKnownName(benchmark::State& state) {
  name_table t;
  (void)t.intern("json-validator");
  for (auto _ : state)
    benchmark::DoNotOptimize(t.intern("json-validator"));
}
BENCHMARK(BM_InternKnownName);

// The analytics actor: one sample added to its series, key and windows.
void BM_AggregatorAdd(benchmark::State& state) {
  name_table types, regions, keys;
  aggregator agg{types, regions, keys};
  std::mt19937 rng{1};
  std::lognormal_distribution<double> lat{8.0, 1.0};
  std::vector<sample> samples;
  for (int i = 0; i < 4096; ++i)
    samples.push_back(sample{.latency_us = static_cast<std::uint32_t>(lat(rng)),
                             .status = static_cast<std::uint16_t>(i % 100 == 0 ? 500 : 200),
                             .type_id = types.intern(i % 3 ? "echo" : "json-validator"),
                             .region_id = regions.intern(i % 2 ? "eu-west" : "us-east"),
                             .key_id = keys.intern(i % 5 ? "k_1" : "k_2"),
                             .kind = sample_kind::task});
  std::size_t i = 0;
  std::int64_t now = t0;
  for (auto _ : state) {
    agg.add(samples[i++ % samples.size()], now);
    now += 1; // 1000 samples per second of simulated time
  }
  state.counters["series"] = static_cast<double>(agg.series_count());
}
BENCHMARK(BM_AggregatorAdd);

// A query of the 5-minute window grouped by type and region (the API's and
// the dashboard's cost), over 8 types x 3 regions.
void BM_Query5m(benchmark::State& state) {
  name_table types, regions, keys;
  aggregator agg{types, regions, keys};
  std::mt19937 rng{1};
  std::lognormal_distribution<double> lat{8.0, 1.0};
  for (int i = 0; i < 300'000; ++i)
    agg.add(sample{.at_ms = t0 + i,
                   .latency_us = static_cast<std::uint32_t>(lat(rng)),
                   .type_id = static_cast<std::uint16_t>(1 + i % 8),
                   .region_id = static_cast<std::uint16_t>(1 + i % 3),
                   .kind = sample_kind::task},
            0);
  for (auto _ : state)
    benchmark::DoNotOptimize(agg.query(300'000, group_type | group_region, t0 + 300'000));
}
BENCHMARK(BM_Query5m);

// Memory: one series fed a lognormal latency at 100 samples/s for 24 h, so
// every slot of every tier is in use. Reports bytes per series.
void BM_MemoryPerSeries(benchmark::State& state) {
  for (auto _ : state) {
    name_table types, regions, keys;
    aggregator agg{types, regions, keys};
    std::mt19937 rng{1};
    std::lognormal_distribution<double> lat{8.0, 1.0};
    const std::int64_t step = 10; // ms
    for (std::int64_t t = 0; t < 86'400'000; t += step)
      agg.add(sample{.at_ms = t0 + t,
                     .latency_us = static_cast<std::uint32_t>(lat(rng)),
                     .type_id = 1,
                     .region_id = 1,
                     .kind = sample_kind::task},
              0);
    state.counters["bytes_per_series"] =
        static_cast<double>(agg.memory_bytes() - sizeof(aggregator)) /
        static_cast<double>(agg.series_count());
    state.counters["empty_series_bytes"] = 0;
  }
}
BENCHMARK(BM_MemoryPerSeries)->Iterations(1)->Unit(benchmark::kMillisecond);

// Memory of a series with a single sample (the floor: the fixed slots).
void BM_MemoryOfNewSeries(benchmark::State& state) {
  for (auto _ : state) {
    name_table types, regions, keys;
    aggregator agg{types, regions, keys};
    agg.add(sample{.at_ms = t0, .latency_us = 100, .type_id = 1, .region_id = 1}, 0);
    state.counters["bytes_per_series"] =
        static_cast<double>(agg.memory_bytes() - sizeof(aggregator));
  }
}
BENCHMARK(BM_MemoryOfNewSeries)->Iterations(1);

} // namespace

BENCHMARK_MAIN();
