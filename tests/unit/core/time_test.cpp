#include "core/time.hpp"

#include <gtest/gtest.h>

namespace nzl {
namespace {

TEST(TimeTest, FormatsRfc3339Utc) {
  EXPECT_EQ(rfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(rfc3339(1795840033709), "2026-11-28T04:27:13.709Z");
}

TEST(TimeTest, ParsesRfc3339Forms) {
  EXPECT_EQ(parse_rfc3339("2026-11-28T04:27:13Z"), 1795840033000);
  EXPECT_EQ(parse_rfc3339("2026-11-28T04:27:13.709Z"), 1795840033709);
  EXPECT_EQ(parse_rfc3339("2026-11-28T05:27:13+01:00"), 1795840033000);
  EXPECT_EQ(parse_rfc3339("2026-11-28T03:27:13.5-01:00"), 1795840033500);
}

TEST(TimeTest, RefusesMalformedDates) {
  for (auto bad : {"", "2026-11-28", "2026-13-01T00:00:00Z", "2026-11-28T04:27:13",
                   "2026-11-28T04:27:13.Z", "2026-11-28T25:00:00Z", "tomorrow"})
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
}

} // namespace
} // namespace nzl
