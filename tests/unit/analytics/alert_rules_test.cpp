#include "analytics/alert_rules.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace nzl::analytics {
namespace {

alert_rule p95_rule(std::int64_t for_ms) {
  return alert_rule{"slow", alert_kind::p95_over, 300, for_ms, 60'000, "", "", 1};
}

TEST(AnalyticsAlertTest, FiresAfterForAndResolvesOnce) {
  alert_engine e{{p95_rule(300'000)}};
  EXPECT_TRUE(e.step({400.0}, 0).empty());       // pending
  EXPECT_TRUE(e.step({450.0}, 299'999).empty()); // still pending
  auto ev = e.step({500.0}, 300'000);            // held for 5 min
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_TRUE(ev[0].firing);
  EXPECT_EQ(ev[0].since_ms, 0);
  EXPECT_EQ(ev[0].value, 500.0);
  EXPECT_TRUE(e.step({600.0}, 360'000).empty()); // firing: no repeat
  EXPECT_EQ(e.firing().size(), 1u);
  ev = e.step({100.0}, 420'000);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_FALSE(ev[0].firing);
  EXPECT_EQ(ev[0].at_ms, 420'000);
  EXPECT_TRUE(e.step({100.0}, 480'000).empty());
  EXPECT_TRUE(e.firing().empty());
}

// Regression: firing() answered `at` = `since` (when the condition began),
// not when the alert fired, so the alerts endpoint's `firing` list disagreed
// with the event that fired it.
TEST(AnalyticsAlertTest, FiringListSaysWhenTheAlertFired) {
  alert_engine e{{p95_rule(300'000)}};
  EXPECT_TRUE(e.step({400.0}, 10'000).empty());
  auto ev = e.step({500.0}, 310'000);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_TRUE(e.step({700.0}, 320'000).empty());
  const auto now = e.firing();
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].since_ms, 10'000);
  EXPECT_EQ(now[0].at_ms, ev[0].at_ms);
  EXPECT_EQ(now[0].at_ms, 310'000);
  EXPECT_EQ(now[0].value, 700.0); // the latest value
}

TEST(AnalyticsAlertTest, PendingThatClearsNeverFires) {
  alert_engine e{{p95_rule(300'000)}};
  EXPECT_TRUE(e.step({400.0}, 0).empty());
  EXPECT_TRUE(e.step({100.0}, 100'000).empty());
  EXPECT_TRUE(e.step({400.0}, 200'000).empty()); // pending again from 200 s
  EXPECT_TRUE(e.step({400.0}, 400'000).empty());
  EXPECT_EQ(e.step({400.0}, 500'000).size(), 1u);
}

TEST(AnalyticsAlertTest, NoDataIsNotFailing) {
  alert_engine e{{p95_rule(0)}};
  EXPECT_EQ(e.step({400.0}, 0).size(), 1u);
  const auto ev = e.step({std::nullopt}, 1'000);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_FALSE(ev[0].firing);
  // Regression: the resolved event said "value 400" (over the threshold);
  // without data there is no value.
  EXPECT_FALSE(ev[0].has_value);
  EXPECT_TRUE(to_json(ev[0])["value"].is_null());
  EXPECT_EQ(to_json(ev[0])["state"], "resolved");
}

TEST(AnalyticsAlertTest, EvaluatesAgainstTheAggregator) {
  name_table types, regions, keys;
  aggregator agg{types, regions, keys};
  const std::int64_t now = 1'700'000'000'000;
  for (int i = 0; i < 1000; ++i)
    agg.add(sample{.latency_us = 400'000,
                   .status = static_cast<std::uint16_t>(i < 2 ? 500 : 200),
                   .type_id = types.intern("echo"),
                   .region_id = regions.intern("eu-west"),
                   .kind = sample_kind::task},
            now);
  auto rules = alert_rules_from_json(nlohmann::json::parse(R"([
    {"name": "p95", "kind": "p95_over", "threshold_ms": 300, "for": "0s", "window": "1m"},
    {"name": "errors", "kind": "error_rate_over", "threshold": 0.001, "type": "echo"},
    {"name": "errors-us", "kind": "error_rate_over", "threshold": 0.001, "region": "us-east"},
    {"name": "down", "kind": "region_down", "region": "us-east", "for": "30s"}
  ])"));
  ASSERT_TRUE(rules) << rules.err().detail;
  alert_engine e{std::move(*rules)};
  auto ev = e.evaluate(agg, {"us-east"}, now);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].rule, "p95");
  EXPECT_NEAR(ev[0].value, 400.0, 400.0 * max_relative_error);
  EXPECT_EQ(ev[1].rule, "errors");
  EXPECT_NEAR(ev[1].value, 0.002, 1e-12);
  ev = e.evaluate(agg, {"us-east"}, now + 30'000);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].rule, "down");
  EXPECT_EQ(to_json(ev[0])["state"], "firing");
  // Two minutes on, the 1-minute windows are empty: p95 and errors resolve.
  ev = e.evaluate(agg, {}, now + 180'000);
  ASSERT_EQ(ev.size(), 3u);
  for (const auto& x : ev)
    EXPECT_FALSE(x.firing);
}

TEST(AnalyticsAlertTest, RefusesBadRules) {
  using nlohmann::json;
  EXPECT_FALSE(alert_rule_from_json(json{{"name", "x"}, {"kind", "nope"}}));
  EXPECT_FALSE(alert_rule_from_json(json{{"name", "x"}, {"kind", "p95_over"}}));
  EXPECT_FALSE(
      alert_rule_from_json(json{{"name", "x"}, {"kind", "error_rate_over"}, {"threshold", 2}}));
  EXPECT_FALSE(alert_rule_from_json(json{{"name", "x"}, {"kind", "region_down"}}));
  EXPECT_FALSE(alert_rule_from_json(
      json{{"name", "x"}, {"kind", "p95_over"}, {"threshold_ms", 1}, {"for", "2d"}}));
  EXPECT_FALSE(alert_rule_from_json(
      json{{"name", "x"}, {"kind", "p95_over"}, {"threshold_ms", 1}, {"extra", 1}}));
  EXPECT_FALSE(alert_rule_from_json(json{{"kind", "p95_over"}, {"threshold_ms", 1}}));
  const auto dup = json::parse(R"([{"name":"a","kind":"region_down","region":"r"},
                                  {"name":"a","kind":"region_down","region":"r"}])");
  EXPECT_FALSE(alert_rules_from_json(dup));
  auto ok = alert_rule_from_json(
      json{{"name", "x"}, {"kind", "p95_over"}, {"threshold_ms", 300}, {"for", "5m"}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->for_ms, 300'000);
  EXPECT_EQ(ok->window_ms, 60'000);
}

} // namespace
} // namespace nzl::analytics
