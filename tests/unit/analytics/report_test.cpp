#include "analytics/report.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace nzl::analytics {
namespace {

class AnalyticsReportTest : public ::testing::Test {
protected:
  void SetUp() override {
    for (int i = 0; i < 200; ++i)
      agg.add(sample{.at_ms = now - 200'000 + i * 1000,
                     .latency_us = static_cast<std::uint32_t>(1000 + i * 10),
                     .status = static_cast<std::uint16_t>(i % 20 == 0 ? 500 : 200),
                     .type_id = types.intern(i % 2 ? "json-validator" : "a,\"b\"<script>"),
                     .region_id = regions.intern("eu-west"),
                     .key_id = keys.intern("k_1"),
                     .kind = sample_kind::task},
              now);
  }
  name_table types, regions, keys;
  aggregator agg{types, regions, keys};
  const std::int64_t now = 1'700'000'000'000;
};

TEST_F(AnalyticsReportTest, FormatsParse) {
  EXPECT_EQ(*parse_report_format("csv"), report_format::csv);
  EXPECT_FALSE(parse_report_format("pdf"));
  EXPECT_EQ(content_type(report_format::html), "text/html; charset=utf-8");
}

TEST_F(AnalyticsReportTest, JsonHasEverySection) {
  const auto r = build_report(agg, "node-a", 300'000, now, price_model{}, 0);
  const auto j = nlohmann::json::parse(render(r, report_format::json));
  for (const char* k : {"node", "scope", "window", "generated_at", "total", "groups", "timeline",
                        "costs", "patterns", "anomalies", "recommendations"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["total"]["count"], 200);
  EXPECT_EQ(j["groups"].size(), 2u);
  EXPECT_EQ(j["timeline"].size(), 60u);
}

TEST_F(AnalyticsReportTest, CsvQuotesFields) {
  const auto r = build_report(agg, "node-a", 300'000, now, price_model{}, 0);
  const auto csv = render(r, report_format::csv);
  EXPECT_EQ(csv.rfind("type,region,count,errors,error_rate,p50_ms,p95_ms,p99_ms,bytes_in,"
                      "bytes_out,cost_usd\r\n",
                      0),
            0u);
  EXPECT_NE(csv.find("\"a,\"\"b\"\"<script>\",eu-west,100,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("json-validator,eu-west,100,"), std::string::npos);
}

TEST_F(AnalyticsReportTest, HtmlIsSelfContainedAndEscaped) {
  const auto r = build_report(agg, "node-<a>", 300'000, now, price_model{}, 0);
  const auto html = render(r, report_format::html);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("node-&lt;a&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
}

// Regression: the HTML page priced keys only; the issue asks for costs per
// key and per task type, each with a monthly projection.
TEST_F(AnalyticsReportTest, HtmlCostsPerKeyAndPerTypeWithMonthlyFigures) {
  const auto r = build_report(agg, "n", 300'000, now, price_model{}, 0);
  const auto html = render(r, report_format::html);
  EXPECT_NE(html.find("<th>key</th>"), std::string::npos);
  EXPECT_NE(html.find("<th>task type</th>"), std::string::npos);
  EXPECT_NE(html.find("<td>json-validator</td><td>100</td>"), std::string::npos) << html;
  EXPECT_NE(html.find("<th>per month</th>"), std::string::npos);
  const auto j = nlohmann::json::parse(render(r, report_format::json));
  for (auto list : {"by_key", "by_type"})
    for (const auto& line : j["costs"][list])
      EXPECT_NEAR(line["monthly"].get<double>(), line["cost"].get<double>() * 8'640, 1e-9) << list;
}

TEST_F(AnalyticsReportTest, EmptyAggregatorStillRenders) {
  name_table t, g, k;
  aggregator empty{t, g, k};
  const auto r = build_report(empty, "n", 60'000, now, price_model{}, 0);
  for (auto f : {report_format::json, report_format::csv, report_format::html})
    EXPECT_FALSE(render(r, f).empty());
}

} // namespace
} // namespace nzl::analytics
