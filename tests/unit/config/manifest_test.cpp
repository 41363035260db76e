#include "config/manifest.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <unistd.h>

namespace nzl::config {
namespace {

using nlohmann::json;

json valid_manifest() {
  return json::parse(R"({
    "version": 1,
    "cluster": {"name": "test"},
    "regions": [
      {"name": "us-east", "http": {"host": "127.0.0.1", "port": 8081},
       "cluster": {"host": "127.0.0.1", "port": 9081},
       "limits": {"max_body_bytes": 2048, "max_batch_tasks": 7}},
      {"name": "eu-west", "http": {"host": "127.0.0.1", "port": 8082},
       "cluster": {"host": "127.0.0.1", "port": 9082}, "executor_threads": 4}
    ]})");
}

TEST(ManifestTest, ParsesAValidManifestWithDefaults) {
  auto m = parse_manifest(valid_manifest());
  ASSERT_TRUE(m) << m.err().detail;
  EXPECT_EQ(m->cluster_name, "test");
  ASSERT_EQ(m->regions.size(), 2u);
  const auto* us = m->find_region("us-east");
  ASSERT_NE(us, nullptr);
  EXPECT_EQ(us->http.port, 8081);
  EXPECT_EQ(us->limits.max_body_bytes, 2048u);
  EXPECT_EQ(us->limits.max_batch_tasks, 7u);
  EXPECT_EQ(us->limits.task_timeout_ms, 30000u);
  EXPECT_EQ(m->find_region("eu-west")->executor_threads, 4u);
  EXPECT_EQ(m->find_region("mars"), nullptr);
}

TEST(ManifestTest, BadPortNamesTheField) {
  auto doc = valid_manifest();
  doc["regions"][1]["http"]["port"] = 70000;
  auto m = parse_manifest(doc);
  ASSERT_FALSE(m);
  EXPECT_NE(m.err().detail.find("/regions/1/http/port"), std::string::npos) << m.err().detail;
}

TEST(ManifestTest, MistypedFieldNamesTheField) {
  auto doc = valid_manifest();
  doc["regions"][0]["executor_threads"] = "four";
  auto m = parse_manifest(doc);
  ASSERT_FALSE(m);
  EXPECT_NE(m.err().detail.find("/regions/0/executor_threads"), std::string::npos)
      << m.err().detail;
}

TEST(ManifestTest, MissingRequiredFieldIsRefused) {
  auto doc = valid_manifest();
  doc["regions"][0].erase("http");
  auto m = parse_manifest(doc);
  ASSERT_FALSE(m);
  EXPECT_NE(m.err().detail.find("/regions/0"), std::string::npos) << m.err().detail;
  EXPECT_NE(m.err().detail.find("http"), std::string::npos) << m.err().detail;
}

TEST(ManifestTest, UnknownKeyIsRefused) {
  auto doc = valid_manifest();
  doc["regions"][0]["limits"]["max_bodybytes"] = 1;
  EXPECT_FALSE(parse_manifest(doc));
}

TEST(ManifestTest, BadRegionNameIsRefused) {
  auto doc = valid_manifest();
  doc["regions"][0]["name"] = "US East";
  auto m = parse_manifest(doc);
  ASSERT_FALSE(m);
  EXPECT_NE(m.err().detail.find("/regions/0/name"), std::string::npos) << m.err().detail;
}

TEST(ManifestTest, DuplicateRegionNameIsRefused) {
  auto doc = valid_manifest();
  doc["regions"][1]["name"] = "us-east";
  auto m = parse_manifest(doc);
  ASSERT_FALSE(m);
  EXPECT_NE(m.err().detail.find("used twice"), std::string::npos) << m.err().detail;
}

TEST(ManifestTest, DuplicateAddressIsRefused) {
  auto doc = valid_manifest();
  doc["regions"][1]["cluster"]["port"] = 8081;
  auto m = parse_manifest(doc);
  ASSERT_FALSE(m);
  EXPECT_NE(m.err().detail.find("127.0.0.1:8081"), std::string::npos) << m.err().detail;
}

TEST(ManifestTest, PortZeroMayRepeat) {
  auto doc = valid_manifest();
  for (auto& r : doc["regions"]) {
    r["http"]["port"] = 0;
    r["cluster"]["port"] = 0;
  }
  EXPECT_TRUE(parse_manifest(doc));
}

TEST(ManifestTest, WrongVersionIsRefused) {
  auto doc = valid_manifest();
  doc["version"] = 2;
  auto m = parse_manifest(doc);
  ASSERT_FALSE(m);
  EXPECT_NE(m.err().detail.find("/version"), std::string::npos) << m.err().detail;
}

TEST(ManifestTest, LoadReportsMalformedJsonAndMissingFiles) {
  auto dir = std::filesystem::temp_directory_path() / ("nzl-manifest-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  { std::ofstream{dir / "bad.json"} << "{\"version\": 1,"; }
  auto bad = load_manifest(dir / "bad.json");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.err().code, errc::invalid_json);
  auto missing = load_manifest(dir / "missing.json");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.err().detail.find("cannot read"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(ManifestTest, TheShippedLocalManifestIsValid) {
  auto m = load_manifest(std::filesystem::path{NZL_SOURCE_DIR} / "cluster-config/local.json");
  ASSERT_TRUE(m) << m.err().detail;
  ASSERT_EQ(m->regions.size(), 3u);
  EXPECT_EQ(m->regions[0].name, "us-east");
  EXPECT_EQ(m->regions[1].http.port, 8082);
  EXPECT_EQ(m->regions[2].name, "asia-east");
}

TEST(ConfigSecurityNoncesTest, MaxNoncesDefaultsToOneMillion) {
  auto m = parse_manifest(valid_manifest());
  ASSERT_TRUE(m) << m.err().detail;
  EXPECT_EQ(m->security.max_nonces, 1'000'000u);
}

TEST(ConfigSecurityNoncesTest, MaxNoncesIsRead) {
  auto doc = valid_manifest();
  doc["security"]["max_nonces"] = 5'000'000;
  auto m = parse_manifest(doc);
  ASSERT_TRUE(m) << m.err().detail;
  EXPECT_EQ(m->security.max_nonces, 5'000'000u);
}

TEST(ConfigSecurityNoncesTest, MaxNoncesOutOfBoundsNamesTheField) {
  for (json bad : {json(999), json(100'000'001), json(-1), json("many")}) {
    auto doc = valid_manifest();
    doc["security"]["max_nonces"] = bad;
    auto m = parse_manifest(doc);
    ASSERT_FALSE(m) << bad;
    EXPECT_NE(m.err().detail.find("/security/max_nonces"), std::string::npos) << m.err().detail;
  }
}

} // namespace
} // namespace nzl::config
