#include "mmdb_writer.hpp"
#include "security/geo.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace nzl::security {
namespace {

class SecurityGeoTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("nzl-geo-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const test::mmdb_writer& writer) {
    auto path = (dir_ / "test.mmdb").string();
    EXPECT_TRUE(writer.write_file(path));
    return path;
  }

  static ip_address ip(std::string_view text) { return *ip_address::parse(text); }

  std::filesystem::path dir_;
};

TEST_F(SecurityGeoTest, LooksUpV4AndV6Ranges) {
  test::mmdb_writer writer;
  ASSERT_TRUE(writer.add("192.0.2.0/24", test::mmdb_country_record("DE")));
  ASSERT_TRUE(writer.add("198.51.100.128/25", test::mmdb_country_record("FR")));
  ASSERT_TRUE(writer.add("2001:db8::/32", test::mmdb_country_record("US")));
  ASSERT_TRUE(writer.add("2001:db8:aaaa::/48", test::mmdb_country_record("jp")));
  auto db = geo_db::open(write(writer));
  ASSERT_TRUE(db) << db.err().detail;

  EXPECT_EQ(db->country(ip("192.0.2.77")), "DE");
  EXPECT_EQ(db->country(ip("::ffff:192.0.2.1")), "DE");
  EXPECT_EQ(db->country(ip("198.51.100.200")), "FR");
  EXPECT_EQ(db->country(ip("198.51.100.1")), std::nullopt);
  EXPECT_EQ(db->country(ip("203.0.113.1")), std::nullopt);
  EXPECT_EQ(db->country(ip("2001:db8:1::1")), "US");
  EXPECT_EQ(db->country(ip("2001:db8:aaaa::1")), "JP"); // normalized
  EXPECT_EQ(db->country(ip("2001:db9::1")), std::nullopt);
}

TEST_F(SecurityGeoTest, RecordWithoutCountryHasNone) {
  test::mmdb_writer writer;
  std::string continent_only = test::mmdb_map_header(1) + test::mmdb_string("continent") +
                               test::mmdb_map_header(1) + test::mmdb_string("code") +
                               test::mmdb_string("EU");
  ASSERT_TRUE(writer.add("192.0.2.0/24", continent_only));
  ASSERT_TRUE(writer.add("198.51.100.0/24", test::mmdb_country_record("not a code")));
  auto db = geo_db::open(write(writer));
  ASSERT_TRUE(db) << db.err().detail;
  EXPECT_EQ(db->country(ip("192.0.2.1")), std::nullopt);
  EXPECT_EQ(db->country(ip("198.51.100.1")), std::nullopt);
}

TEST_F(SecurityGeoTest, OpenFailsForMissingOrBadFile) {
  auto missing = geo_db::open((dir_ / "none.mmdb").string());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.err().detail.find("none.mmdb"), std::string::npos);
  auto path = (dir_ / "bad.mmdb").string();
  std::ofstream(path) << "not a database";
  EXPECT_FALSE(geo_db::open(path));
}

TEST_F(SecurityGeoTest, MovedDatabaseStillWorks) {
  test::mmdb_writer writer;
  ASSERT_TRUE(writer.add("192.0.2.0/24", test::mmdb_country_record("DE")));
  auto db = geo_db::open(write(writer));
  ASSERT_TRUE(db);
  geo_db moved = std::move(*db);
  EXPECT_EQ(moved.country(ip("192.0.2.1")), "DE");
}

TEST(SecurityCountryTest, CodeValidation) {
  EXPECT_TRUE(valid_country_code("DE"));
  EXPECT_TRUE(valid_country_code("T1"));
  EXPECT_FALSE(valid_country_code("de"));
  EXPECT_FALSE(valid_country_code("DEU"));
  EXPECT_FALSE(valid_country_code(""));
  EXPECT_FALSE(valid_country_code("1A"));
  EXPECT_EQ(normalize_country_code("de"), "DE");
  EXPECT_FALSE(normalize_country_code("d"));
  auto bad = parse_country_codes({"DE", "fr", "xyz"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.err().extensions["index"], 2);
  auto good = parse_country_codes({"de", "FR"});
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, (std::vector<std::string>{"DE", "FR"}));
}

TEST(SecurityCountryTest, HeaderOnlyFromTrustedPeer) {
  auto client = *ip_address::parse("192.0.2.1");
  EXPECT_EQ(resolve_country(nullptr, client, true, "de"), "DE");
  EXPECT_EQ(resolve_country(nullptr, client, false, "DE"), std::nullopt);
  EXPECT_EQ(resolve_country(nullptr, client, true, "XX"), std::nullopt);
  EXPECT_EQ(resolve_country(nullptr, client, true, "garbage"), std::nullopt);
}

TEST(SecurityCountryTest, RulesDenyWinsAndUnknownIsNotAllowed) {
  country_rules rules{{"DE", "FR"}, {"FR"}};
  EXPECT_TRUE(rules.decide("DE").allowed());
  EXPECT_EQ(rules.decide("FR").outcome, country_decision::kind::denied);
  EXPECT_EQ(rules.decide("US").outcome, country_decision::kind::not_in_allow_list);
  EXPECT_EQ(rules.decide(std::nullopt).outcome, country_decision::kind::not_in_allow_list);
  country_rules deny_only{{}, {"RU"}};
  EXPECT_TRUE(deny_only.decide(std::nullopt).allowed());
  EXPECT_TRUE(deny_only.decide("DE").allowed());
  EXPECT_FALSE(deny_only.decide("RU").allowed());
}

} // namespace
} // namespace nzl::security
