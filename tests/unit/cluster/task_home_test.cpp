#include "cluster/task_home.hpp"

#include <gtest/gtest.h>

namespace nzl::cluster {
namespace {

constexpr std::string_view uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";

TEST(ClusterTaskHomeTest, IdNamesItsRegion) {
  auto id = make_home_id("eu-west", uuid);
  EXPECT_EQ(id, "eu-west.0f8fad5b-d9cb-469f-a165-70867728950e");
  EXPECT_EQ(home_of(id), "eu-west");
}

TEST(ClusterTaskHomeTest, PlainUuidHasNoHome) {
  EXPECT_EQ(home_of(uuid), "");
  EXPECT_EQ(home_of(".x"), "");
}

TEST(ClusterTaskHomeTest, TooLongRegionKeepsPlainUuid) {
  std::string region(40, 'a');
  EXPECT_EQ(make_home_id(region, uuid), uuid);
}

} // namespace
} // namespace nzl::cluster
