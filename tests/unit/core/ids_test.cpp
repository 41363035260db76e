#include "core/ids.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace nzl {
namespace {

TEST(IdsTest, TaskIdsAreUuidV4AndUnique) {
  std::regex uuid{"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"};
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = new_task_id();
    EXPECT_TRUE(std::regex_match(id, uuid)) << id;
    EXPECT_TRUE(seen.insert(id).second);
  }
}

TEST(IdsTest, RequestIdsAreUniqueAndSane) {
  auto a = new_request_id();
  auto b = new_request_id();
  EXPECT_NE(a, b);
  EXPECT_TRUE(is_sane_request_id(a));
  // "<16 hex digits of this process>-<counter in hex, no leading zeros>"
  std::regex shape{"^[0-9a-f]{16}-(0|[1-9a-f][0-9a-f]*)$"};
  EXPECT_TRUE(std::regex_match(a, shape)) << a;
  EXPECT_EQ(a.substr(0, 17), b.substr(0, 17));
  EXPECT_EQ(std::stoull(b.substr(17), nullptr, 16), std::stoull(a.substr(17), nullptr, 16) + 1);
  for (int i = 0; i < 300; ++i) // crosses 0xff -> 0x100, the width change
    EXPECT_TRUE(std::regex_match(new_request_id(), shape));
}

TEST(IdsTest, SaneRequestIdRejectsInjectionAndOversize) {
  EXPECT_TRUE(is_sane_request_id("abc-123_x.y:z"));
  EXPECT_FALSE(is_sane_request_id(""));
  EXPECT_FALSE(is_sane_request_id("a b"));
  EXPECT_FALSE(is_sane_request_id("a\r\nX-Evil: 1"));
  EXPECT_FALSE(is_sane_request_id("\"quoted\""));
  EXPECT_FALSE(is_sane_request_id(std::string(129, 'a')));
  EXPECT_TRUE(is_sane_request_id(std::string(128, 'a')));
}

} // namespace
} // namespace nzl
