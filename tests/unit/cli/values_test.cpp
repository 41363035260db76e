#include "apps/cloudagent/values.hpp"

#include <gtest/gtest.h>

namespace nzl::cli {
namespace {

TEST(CliValuesTest, ParsesDurationsWithUnits) {
  EXPECT_EQ(*parse_duration_s("3600s", "--x", 1u << 30), 3600u);
  EXPECT_EQ(*parse_duration_s("90m", "--x", 1u << 30), 5400u);
  EXPECT_EQ(*parse_duration_s("12h", "--x", 1u << 30), 43200u);
  EXPECT_EQ(*parse_duration_s("30d", "--x", 1u << 30), 2592000u);
  EXPECT_EQ(*parse_duration_s("45", "--x", 1u << 30), 45u);
  EXPECT_EQ(*parse_duration_s("0s", "--x", 10), 0u);
}

TEST(CliValuesTest, RefusesBadOrTooLongDurations) {
  for (auto text : {"", "h", "-1h", "1.5h", "1w", "1 h", "31d", "99999999999999999999d"}) {
    auto r = parse_duration_s(text, "--grace", 2592000);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.err().code, exit_code::usage);
    EXPECT_NE(r.err().message.find("--grace"), std::string::npos);
  }
}

TEST(CliValuesTest, ParsesBoundedIntegers) {
  EXPECT_EQ(*parse_uint("404", "--status", 100, 599), 404u);
  EXPECT_FALSE(parse_uint("99", "--status", 100, 599));
  EXPECT_FALSE(parse_uint("+404", "--status", 100, 599));
  EXPECT_FALSE(parse_uint("4o4", "--status", 100, 599));
}

TEST(CliValuesTest, KnowsTheScopes) {
  EXPECT_TRUE(known_scope("tasks:write"));
  EXPECT_TRUE(known_scope("tasks:read"));
  EXPECT_TRUE(known_scope("admin"));
  EXPECT_FALSE(known_scope("Admin"));
  EXPECT_FALSE(known_scope("tasks:*"));
}

TEST(CliValuesTest, ChecksNamesIdsAndCountries) {
  EXPECT_TRUE(check_key_name("ci deploy"));
  EXPECT_FALSE(check_key_name(""));
  EXPECT_FALSE(check_key_name(std::string(65, 'a')));
  EXPECT_FALSE(check_key_name("a\x1b[2Jb"));
  EXPECT_TRUE(check_id("k_01HX-abc", "id"));
  EXPECT_FALSE(check_id("..", "id"));
  EXPECT_FALSE(check_id("k/../x", "id"));
  EXPECT_FALSE(check_id("k?x=1", "id"));
  EXPECT_EQ(*parse_country("de"), "DE");
  EXPECT_FALSE(parse_country("DEU"));
  EXPECT_TRUE(check_cidr_text("10.0.0.0/8"));
  EXPECT_TRUE(check_cidr_text("fd00::/8"));
  EXPECT_FALSE(check_cidr_text("10.0.0.0/8; rm"));
}

TEST(CliValuesTest, TimePointsAreRfc3339OrAgo) {
  auto now = std::chrono::system_clock::time_point{std::chrono::seconds{1714564800}};
  EXPECT_EQ(format_rfc3339(now), "2024-05-01T12:00:00Z");
  EXPECT_EQ(*parse_time_point("10m", "--since", now), "2024-05-01T11:50:00Z");
  EXPECT_EQ(*parse_time_point("2024-05-01T00:00:00+02:00", "--since", now),
            "2024-05-01T00:00:00+02:00");
  EXPECT_FALSE(parse_time_point("yesterday", "--since", now));
  EXPECT_FALSE(parse_time_point("2024-05-01 00:00", "--since", now));
}

TEST(CliValuesTest, PercentEncodesQueryValues) {
  EXPECT_EQ(percent_encode("2024-05-01T00:00:00+02:00"), "2024-05-01T00%3A00%3A00%2B02%3A00");
  EXPECT_EQ(percent_encode("a b&c=d"), "a%20b%26c%3Dd");
}

} // namespace
} // namespace nzl::cli
