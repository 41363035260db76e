#include "analytics/prometheus.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace nzl::analytics {
namespace {

TEST(AnalyticsPrometheusTest, NamesAndEscaping) {
  EXPECT_TRUE(valid_metric_name("nzl_tasks_total"));
  EXPECT_TRUE(valid_metric_name("a:b_c"));
  EXPECT_FALSE(valid_metric_name("1abc"));
  EXPECT_FALSE(valid_metric_name("a-b"));
  EXPECT_FALSE(valid_metric_name(""));
  EXPECT_TRUE(valid_label_name("region"));
  EXPECT_FALSE(valid_label_name("__name"));
  EXPECT_FALSE(valid_label_name("a:b"));
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(AnalyticsPrometheusTest, WriterFormatsFamiliesOnce) {
  metrics_writer w;
  EXPECT_TRUE(w.family("x_total", "counter", "Things."));
  w.sample("", {{"k", "v\"1"}}, 3);
  EXPECT_FALSE(w.family("x_total", "counter", "again"));
  EXPECT_FALSE(w.family("bad_counter", "counter", "no _total"));
  w.sample("", {}, 1); // ignored: its family was refused
  EXPECT_TRUE(w.family("g", "gauge", "A gauge."));
  w.sample("", {}, 0.25);
  EXPECT_EQ(w.text(), "# HELP x_total Things.\n# TYPE x_total counter\nx_total{k=\"v\\\"1\"} 3\n"
                      "# HELP g A gauge.\n# TYPE g gauge\ng 0.25\n");
}

TEST(AnalyticsPrometheusTest, HistogramBucketsAreCumulative) {
  latency_histogram h;
  for (std::uint64_t v : {500, 2'000, 2'000, 40'000, 20'000'000})
    h.record(v);
  metrics_writer w;
  w.family("d_seconds", "histogram", "D.");
  w.histogram({{"type", "echo"}}, h, {0.001, 0.01, 0.1});
  EXPECT_EQ(w.text(), "# HELP d_seconds D.\n# TYPE d_seconds histogram\n"
                      "d_seconds_bucket{type=\"echo\",le=\"0.001\"} 1\n"
                      "d_seconds_bucket{type=\"echo\",le=\"0.01\"} 3\n"
                      "d_seconds_bucket{type=\"echo\",le=\"0.1\"} 4\n"
                      "d_seconds_bucket{type=\"echo\",le=\"+Inf\"} 5\n"
                      "d_seconds_sum{type=\"echo\"} 20.0445\n"
                      "d_seconds_count{type=\"echo\"} 5\n");
}

std::string render_sample() {
  static name_table types, regions, keys;
  static recorder rec;
  aggregator agg{types, regions, keys};
  const std::int64_t now = 1'700'000'000'000;
  for (int i = 0; i < 100; ++i) {
    agg.add(sample{.latency_us = static_cast<std::uint32_t>(1000 * i),
                   .status = static_cast<std::uint16_t>(i % 10 == 0 ? 503 : 200),
                   .type_id = types.intern("json-validator"),
                   .region_id = regions.intern("eu-west"),
                   .kind = sample_kind::task},
            now);
    agg.add(sample{.latency_us = 300,
                   .status = static_cast<std::uint16_t>(i % 4 == 0 ? 429 : 200),
                   .type_id = types.intern("POST /v3/tasks"),
                   .region_id = regions.intern("eu-west"),
                   .kind = sample_kind::http,
                   .flags = static_cast<std::uint8_t>(i % 4 == 0 ? flag_rate_limited : 0)},
            now);
  }
  return render_metrics(
      agg, &rec,
      {{"nzl_queue_depth", "gauge", "Tasks waiting per queue.", {{"queue", "default"}}, 4},
       {"nzl_queue_depth", "gauge", "Tasks waiting per queue.", {{"queue", "bulk"}}, 0},
       {"nzl_cluster_peer_up", "gauge", "1 when a peer is up.", {{"region", "us-east"}}, 1},
       {"nzl_rate_limit_refusals_total", "counter", "Refusals.", {{"tier", "free"}}, 25}});
}

TEST(AnalyticsPrometheusTest, RendersAggregatorAndExtras) {
  const auto text = render_sample();
  EXPECT_NE(text.find("# TYPE nzl_tasks_total counter\n"), std::string::npos);
  EXPECT_NE(
      text.find("nzl_tasks_total{type=\"json-validator\",region=\"eu-west\",class=\"ok\"} 90\n"),
      std::string::npos);
  EXPECT_NE(
      text.find(
          "nzl_task_duration_seconds_count{type=\"json-validator\",region=\"eu-west\"} 100\n"),
      std::string::npos);
  EXPECT_NE(text.find("nzl_rate_limited_total{kind=\"http\"} 25\n"), std::string::npos);
  EXPECT_NE(text.find("nzl_queue_depth{queue=\"bulk\"} 0\n"), std::string::npos);
  EXPECT_EQ(text.find("# TYPE nzl_queue_depth gauge"), text.rfind("# TYPE nzl_queue_depth gauge"));
}

// promtool (Debian's prometheus package) lints the real output.
TEST(AnalyticsPrometheusTest, PromtoolAcceptsTheOutput) {
  if (std::system("command -v promtool > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "promtool not installed (apt-get install prometheus)";
  const auto path = std::filesystem::temp_directory_path() /
                    ("nzl-metrics-" + std::to_string(::getpid()) + ".txt");
  {
    std::ofstream out{path};
    out << render_sample();
  }
  const auto cmd = "promtool check metrics < " + path.string() + " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[256];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr)
    output += buf;
  const int status = ::pclose(pipe);
  std::filesystem::remove(path);
  EXPECT_EQ(status, 0) << output;
}

} // namespace
} // namespace nzl::analytics
