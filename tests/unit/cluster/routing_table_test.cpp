#include "cluster/routing_table.hpp"

#include <gtest/gtest.h>

#include <set>

namespace nzl::cluster {
namespace {

routing_table make_table() {
  routing_rules rules;
  rules.countries = {{"US", "us-east"}, {"CA", "us-east"}, {"FR", "eu-west"}, {"JP", "asia-east"}};
  rules.default_region = "us-east";
  rules.fallbacks = {{"us-east", {"eu-west", "asia-east"}},
                     {"eu-west", {"us-east", "asia-east"}},
                     {"asia-east", {"us-east", "eu-west"}}};
  auto t = routing_table::make(rules, {"us-east", "eu-west", "asia-east"});
  EXPECT_TRUE(t);
  return std::move(t).value();
}

route_request by_country(std::string country) {
  route_request r;
  r.country = std::move(country);
  return r;
}

struct serving_set {
  std::set<std::string, std::less<>> up;
  bool operator()(std::string_view r) const { return up.contains(r); }
};

TEST(ClusterRoutingTest, CountryGoesHome) {
  auto t = make_table();
  serving_set all{{"us-east", "eu-west", "asia-east"}};
  EXPECT_EQ(*choose_region(t, by_country("FR"), all), "eu-west");
  EXPECT_EQ(*choose_region(t, by_country("JP"), all), "asia-east");
  EXPECT_EQ(*choose_region(t, by_country("US"), all), "us-east");
}

TEST(ClusterRoutingTest, UnknownAndMissingCountryUseDefault) {
  auto t = make_table();
  serving_set all{{"us-east", "eu-west", "asia-east"}};
  EXPECT_EQ(*choose_region(t, by_country("ZZ"), all), "us-east");
  EXPECT_EQ(*choose_region(t, by_country(""), all), "us-east");
}

TEST(ClusterRoutingTest, DownHomeFallsBackInOrder) {
  auto t = make_table();
  EXPECT_EQ(*choose_region(t, by_country("JP"), serving_set{{"us-east", "eu-west"}}), "us-east");
  EXPECT_EQ(*choose_region(t, by_country("JP"), serving_set{{"eu-west"}}), "eu-west");
}

TEST(ClusterRoutingTest, NothingServingIsUnavailable) {
  auto t = make_table();
  auto r = choose_region(t, by_country("JP"), serving_set{});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::unavailable);
}

TEST(ClusterRoutingTest, PinnedRegionDownFailsWithoutFallback) {
  auto t = make_table();
  route_request req{"US", "eu-west", false, {}};
  auto r = choose_region(t, req, serving_set{{"us-east"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::unavailable);
  EXPECT_EQ(r.err().extensions["region"], "eu-west");
  EXPECT_EQ(r.err().extensions["pinned_region"], "eu-west");
}

TEST(ClusterRoutingTest, PinnedRegionDownWithFallbackUsesItsList) {
  auto t = make_table();
  route_request req{"JP", "eu-west", true, {}};
  EXPECT_EQ(*choose_region(t, req, serving_set{{"us-east", "asia-east"}}), "us-east");
}

TEST(ClusterRoutingTest, PinnedRegionUpWins) {
  auto t = make_table();
  route_request req{"JP", "eu-west", false, {}};
  EXPECT_EQ(*choose_region(t, req, serving_set{{"us-east", "eu-west", "asia-east"}}), "eu-west");
}

TEST(ClusterRoutingTest, UnknownPinnedRegionIsInvalidField) {
  auto t = make_table();
  route_request req{"", "mars", true, {}};
  auto r = choose_region(t, req, serving_set{{"us-east"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::invalid_field);
  EXPECT_NE(r.err().detail.find("'mars'"), std::string::npos) << r.err().detail;
}

TEST(ClusterRoutingTest, RetryExcludesRegionsTried) {
  auto t = make_table();
  route_request req{"FR", std::nullopt, false, {"eu-west"}};
  EXPECT_EQ(*choose_region(t, req, serving_set{{"us-east", "eu-west", "asia-east"}}), "us-east");
}

TEST(ClusterRoutingTest, RegionWithoutFallbackListUsesManifestOrder) {
  routing_rules rules;
  auto t = routing_table::make(rules, {"a", "b", "c"});
  ASSERT_TRUE(t);
  EXPECT_EQ(t->candidates_from("b"), (std::vector<std::string>{"b", "a", "c"}));
}

TEST(ClusterRoutingTest, MakeRefusesUnknownRegions) {
  routing_rules rules;
  rules.countries = {{"US", "nowhere"}};
  EXPECT_FALSE(routing_table::make(rules, {"a"}));
  routing_rules r2;
  r2.fallbacks = {{"a", {"zz"}}};
  EXPECT_FALSE(routing_table::make(r2, {"a"}));
  routing_rules r3;
  r3.default_region = "zz";
  EXPECT_FALSE(routing_table::make(r3, {"a"}));
}

} // namespace
} // namespace nzl::cluster
