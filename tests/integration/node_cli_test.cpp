// The node's command line: --help, and start-up refusals (exit code 2 with
// one message naming what is wrong) for a bad manifest or region.
#include "tests/support/node_process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

namespace nzl::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::size_t line_count(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) +
         (!text.empty() && text.back() != '\n' ? 1 : 0);
}

class NodeCliTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(node_binary()))
        << "no node binary at " << node_binary() << " (ctest sets NZL_BUILD_DIR)";
  }

  // Runs the node on `manifest` for region test-region.
  cli_outcome run_with_manifest(const std::string& manifest_text,
                                const std::string& region = "test-region") {
    auto manifest = files_.write("manifest.json", manifest_text);
    return run_node_cli({"--manifest", manifest.string(), "--region", region, "--data-dir",
                         (files_.path() / "data").string()});
  }

  temp_dir files_;
};

TEST_F(NodeCliTest, HelpExitsZeroAndMentionsManifest) {
  auto out = run_node_cli({"--help"});
  ASSERT_EQ(out.exit_status, 0) << out.output;
  EXPECT_THAT(out.output, HasSubstr("--manifest"));
  EXPECT_THAT(out.output, HasSubstr("--region"));
}

TEST_F(NodeCliTest, ManifestWithBadFieldExitsTwoNamingTheField) {
  auto manifest = test_manifest({});
  manifest["regions"][0]["http"]["port"] = 70000;
  auto out = run_with_manifest(manifest.dump());
  EXPECT_EQ(out.exit_status, 2) << out.output;
  EXPECT_THAT(out.output, HasSubstr("/regions/0/http/port"));
  EXPECT_EQ(line_count(out.output), 1u) << out.output;
}

TEST_F(NodeCliTest, ManifestWithBadLimitExitsTwoNamingTheField) {
  auto manifest = test_manifest({});
  manifest["regions"][0]["limits"] = {{"max_connections", 0}};
  auto out = run_with_manifest(manifest.dump());
  EXPECT_EQ(out.exit_status, 2) << out.output;
  EXPECT_THAT(out.output, HasSubstr("/regions/0/limits/max_connections"));
  EXPECT_EQ(line_count(out.output), 1u) << out.output;
}

TEST_F(NodeCliTest, UnknownRegionExitsTwoNamingTheRegion) {
  auto out = run_with_manifest(test_manifest({}).dump(), "atlantis");
  EXPECT_EQ(out.exit_status, 2) << out.output;
  EXPECT_THAT(out.output, HasSubstr("atlantis"));
  EXPECT_EQ(line_count(out.output), 1u) << out.output;
}

TEST_F(NodeCliTest, ManifestThatIsNotJsonExitsTwo) {
  auto out = run_with_manifest("{ \"version\": 1, this is not JSON");
  EXPECT_EQ(out.exit_status, 2) << out.output;
  EXPECT_EQ(line_count(out.output), 1u) << out.output;
}

TEST_F(NodeCliTest, MissingManifestFileExitsTwo) {
  auto out = run_node_cli(
      {"--manifest", (files_.path() / "absent.json").string(), "--region", "test-region"});
  EXPECT_EQ(out.exit_status, 2) << out.output;
  EXPECT_THAT(out.output, HasSubstr("absent.json"));
}

TEST_F(NodeCliTest, MissingRegionFlagExitsTwo) {
  auto manifest = files_.write("manifest.json", test_manifest({}).dump());
  auto out = run_node_cli({"--manifest", manifest.string()});
  EXPECT_EQ(out.exit_status, 2) << out.output;
  EXPECT_THAT(out.output, HasSubstr("--region"));
}

} // namespace
} // namespace nzl::test
