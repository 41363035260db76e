#include "analytics/latency_histogram.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace nzl::analytics {
namespace {

// The exact nearest-rank percentile the histogram approximates.
double exact_percentile(std::vector<std::uint64_t> v, double p) {
  std::sort(v.begin(), v.end());
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  rank = std::clamp<std::size_t>(rank, 1, v.size());
  return static_cast<double>(v[rank - 1]);
}

void expect_within_bound(const std::vector<std::uint64_t>& data, const latency_histogram& h) {
  for (double p : {0.0, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 100.0}) {
    const double exact = exact_percentile(data, p);
    const double got = h.percentile(p);
    EXPECT_LE(std::abs(got - exact), exact * max_relative_error + 1e-9)
        << "p" << p << " exact " << exact << " got " << got;
  }
}

std::vector<std::uint64_t> draw(const char* dist, std::size_t n, std::uint32_t seed) {
  std::mt19937_64 rng{seed};
  std::vector<std::uint64_t> out;
  out.reserve(n);
  std::lognormal_distribution<double> lognormal{std::log(2'000.0), 1.0};
  std::exponential_distribution<double> expo{1.0 / 5'000.0};
  std::uniform_int_distribution<std::uint64_t> uni{0, 1'000'000};
  std::uniform_real_distribution<double> u01{0, 1};
  for (std::size_t i = 0; i < n; ++i) {
    double v = 0;
    if (std::string_view{dist} == "lognormal")
      v = lognormal(rng);
    else if (std::string_view{dist} == "exponential")
      v = expo(rng);
    else if (std::string_view{dist} == "uniform")
      v = static_cast<double>(uni(rng));
    else // bimodal: fast cache hits and slow misses
      v = u01(rng) < 0.9 ? 50 + 10 * u01(rng) : 200'000 + 100'000 * u01(rng);
    out.push_back(static_cast<std::uint64_t>(v));
  }
  return out;
}

class AnalyticsHistogramTest : public ::testing::TestWithParam<const char*> {};

TEST_P(AnalyticsHistogramTest, PercentilesWithinStatedErrorOfExact) {
  const auto data = draw(GetParam(), 50'000, 7);
  latency_histogram h;
  for (auto v : data)
    h.record(v);
  EXPECT_EQ(h.count(), data.size());
  EXPECT_EQ(h.min(), *std::min_element(data.begin(), data.end()));
  EXPECT_EQ(h.max(), *std::max_element(data.begin(), data.end()));
  expect_within_bound(data, h);
}

TEST_P(AnalyticsHistogramTest, MergeEqualsRecordingEverything) {
  const auto a = draw(GetParam(), 20'000, 1);
  const auto b = draw(GetParam(), 30'000, 2);
  latency_histogram ha, hb, all;
  for (auto v : a) {
    ha.record(v);
    all.record(v);
  }
  for (auto v : b) {
    hb.record(v);
    all.record(v);
  }
  ha.merge(hb);
  EXPECT_EQ(ha, all);
  std::vector<std::uint64_t> both = a;
  both.insert(both.end(), b.begin(), b.end());
  expect_within_bound(both, ha);
}

INSTANTIATE_TEST_SUITE_P(Distributions, AnalyticsHistogramTest,
                         ::testing::Values("lognormal", "exponential", "uniform", "bimodal"));

TEST(AnalyticsHistogramBucketTest, EveryValueFallsInsideItsBucketAndBoundHolds) {
  std::uint64_t v = 0;
  while (v < max_trackable_us) {
    const auto i = bucket_index(v);
    ASSERT_LT(i, bucket_count);
    ASSERT_LE(bucket_lower(i), v);
    ASSERT_LT(v, bucket_lower(i) + bucket_width(i));
    // Half a bucket relative to its lower end never exceeds the stated bound.
    if (bucket_lower(i) > 0) {
      ASSERT_LE(static_cast<double>(bucket_width(i) - 1) / 2.0 /
                    static_cast<double>(bucket_lower(i)),
                max_relative_error);
    }
    v = v < 100 ? v + 1 : v + v / 7;
  }
  EXPECT_EQ(bucket_index(max_trackable_us - 1), bucket_count - 1);
  EXPECT_EQ(bucket_index(~std::uint64_t{0}), bucket_count - 1);
}

TEST(AnalyticsHistogramBucketTest, ClampsHugeValues) {
  latency_histogram h;
  h.record(~std::uint64_t{0});
  EXPECT_EQ(h.max(), max_trackable_us - 1);
  EXPECT_EQ(h.percentile(50), static_cast<double>(max_trackable_us - 1));
}

TEST(AnalyticsHistogramBucketTest, EmptyAnswersZero) {
  latency_histogram h;
  EXPECT_EQ(h.percentile(99), 0);
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.mean(), 0);
}

TEST(AnalyticsHistogramBucketTest, CountAtOrBelowIsExactAtBucketBounds) {
  latency_histogram h;
  for (std::uint64_t v = 0; v < 10'000; ++v)
    h.record(v);
  EXPECT_EQ(h.count_at_or_below(31), 32u);
  EXPECT_EQ(h.count_at_or_below(1023), 1024u);
  EXPECT_EQ(h.count_at_or_below(1'000'000), 10'000u);
}

TEST(AnalyticsHistogramJsonTest, RoundTripsSparse) {
  latency_histogram h;
  for (auto v : draw("lognormal", 5'000, 3))
    h.record(v);
  const auto j = h.to_json();
  EXPECT_EQ(j["b"].size(), h.buckets().size());
  auto back = latency_histogram::from_json(nlohmann::json::parse(j.dump()));
  ASSERT_TRUE(back) << back.err().detail;
  EXPECT_EQ(*back, h);
  auto empty = latency_histogram::from_json(latency_histogram{}.to_json());
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(AnalyticsHistogramJsonTest, RefusesInconsistentInput) {
  latency_histogram h;
  h.record(100);
  h.record(5000);
  const auto good = h.to_json();
  auto broken = [&](auto mutate) {
    auto j = good;
    mutate(j);
    return !latency_histogram::from_json(j).has_value();
  };
  EXPECT_TRUE(broken([](auto& j) { j["s"] = 4; }));
  EXPECT_TRUE(broken([](auto& j) { j["n"] = 3; }));
  EXPECT_TRUE(broken([](auto& j) { j["b"][0][0] = bucket_count; }));
  EXPECT_TRUE(broken([](auto& j) { j["b"][1][0] = 0; }));
  EXPECT_TRUE(broken([](auto& j) { j["b"][0][1] = 0; }));
  EXPECT_TRUE(broken([](auto& j) { j["min"] = 6000; }));
  EXPECT_TRUE(broken([](auto& j) { j["max"] = -1; }));
  EXPECT_TRUE(broken([](auto& j) { j.erase("b"); }));
  EXPECT_TRUE(broken([](auto& j) { j = nlohmann::json::array(); }));
}

} // namespace
} // namespace nzl::analytics
