#include "plugins/loader/plugin_host.hpp"
#include "plugins/loader/plugin_loader.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

namespace nzl::plugins {
namespace {

namespace fs = std::filesystem;
using testing::fake_context;

/// A fresh directory under the temp dir, removed at the end of the test.
class temp_dir {
public:
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "nzl-plugins-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

  /// Copies a built library in under `name`.
  fs::path add(const char* built, std::string name) const {
    auto to = path_ / name;
    fs::copy_file(built, to, fs::copy_options::overwrite_existing);
    return to;
  }

private:
  fs::path path_;
};

class PluginSystemLoaderTest : public ::testing::Test {
protected:
  PluginSystemLoaderTest() : registry(std::make_shared<handler_registry>("test")) {
    add_builtin_handlers(*registry);
  }

  plugin_host host_over(std::vector<fs::path> dirs) {
    return plugin_host{registry, plugin_host_options{std::move(dirs)}};
  }

  result<nlohmann::json> run(std::string_view type, nlohmann::json payload) {
    auto* h = registry->find(type);
    if (!h)
      return fail(errc::unknown_task_type, std::string{type});
    return h->run(std::move(payload), ctx);
  }

  static std::string reason_for(const nlohmann::json& summary, std::string_view file) {
    for (const auto& r : summary["refused"])
      if (r["path"].get<std::string>().ends_with(file))
        return r["reason"];
    return "(not refused)";
  }

  std::shared_ptr<handler_registry> registry;
  fake_context ctx;
  temp_dir dir;
};

TEST_F(PluginSystemLoaderTest, LoadsTheExamplePlugin) {
  dir.add(NZL_EXAMPLE_PLUGIN, "libnzl_example.so");
  auto host = host_over({dir.path()});
  auto summary = host.reload();
  ASSERT_EQ(summary["loaded"].size(), 1u) << summary.dump();
  EXPECT_TRUE(summary["refused"].empty());
  EXPECT_EQ(summary["loaded"][0]["name"], "example");
  EXPECT_EQ(summary["loaded"][0]["version"], "1.0.0");
  EXPECT_EQ(summary["loaded"][0]["handlers"], (nlohmann::json{"example-reverse"}));
  EXPECT_EQ(summary["loaded"][0]["middleware"], (nlohmann::json{"example-guard"}));

  auto reversed = run("example-reverse", {{"text", "añb€"}});
  ASSERT_TRUE(reversed) << reversed.err().detail;
  EXPECT_EQ((*reversed)["text"], "€bña");
  EXPECT_EQ((*reversed)["annotated_by"], "example-plugin"); // the plugin's middleware
  EXPECT_EQ(ctx.reports(), (std::vector<std::pair<int, std::string>>{{100, "reversed"}}));

  auto bad = run("example-reverse", {{"text", 5}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.err().code, errc::invalid_field);
  EXPECT_EQ(bad.err().extensions["field"], "payload.text");
}

TEST_F(PluginSystemLoaderTest, ThePluginMiddlewareGuardsBuiltinsToo) {
  dir.add(NZL_EXAMPLE_PLUGIN, "libnzl_example.so");
  auto host = host_over({dir.path()});
  host.reload();
  auto echoed = run("echo", {{"a", 1}});
  ASSERT_TRUE(echoed);
  EXPECT_EQ(*echoed, (nlohmann::json{{"a", 1}, {"annotated_by", "example-plugin"}}));
  EXPECT_FALSE(registry->find("echo")->runs_inline({{"a", 1}})); // an external middleware
  auto refused = run("echo", {{"forbidden", true}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.err().code, errc::task_failed);
  EXPECT_EQ(refused.err().extensions["field"], "payload.forbidden");
  EXPECT_EQ(refused.err().extensions["plugin"], "example");
}

TEST_F(PluginSystemLoaderTest, RefusesBrokenPluginsAndKeepsTheRest) {
  dir.add(NZL_EXAMPLE_PLUGIN, "libnzl_example.so");
  dir.add(NZL_BROKEN_WRONG_ABI, "wrong_abi.so");
  dir.add(NZL_BROKEN_MISSING_SYMBOL, "missing_symbol.so");
  dir.add(NZL_BROKEN_DUPLICATE_TYPE, "duplicate_type.so");
  auto host = host_over({dir.path()});
  auto summary = host.reload();
  ASSERT_EQ(summary["loaded"].size(), 1u) << summary.dump();
  ASSERT_EQ(summary["refused"].size(), 3u) << summary.dump();
  EXPECT_EQ(reason_for(summary, "wrong_abi.so"),
            "plugin ABI version 2, this node speaks version 1");
  EXPECT_EQ(reason_for(summary, "missing_symbol.so"), "missing symbol nzl_plugin_entry");
  EXPECT_EQ(reason_for(summary, "duplicate_type.so"), "duplicate task type 'echo'");
  ASSERT_TRUE(run("example-reverse", {{"text", "ab"}}));
  EXPECT_EQ(registry->find("broken-future"), nullptr);
  auto echoed = run("echo", {{"x", 1}}); // still the built-in
  ASSERT_TRUE(echoed);
  EXPECT_EQ((*echoed)["x"], 1);
}

TEST_F(PluginSystemLoaderTest, MisbehavingHandlersGiveProblemsNotCrashes) {
  dir.add(NZL_BROKEN_MISBEHAVING, "misbehaving.so");
  auto host = host_over({dir.path()});
  auto summary = host.reload();
  ASSERT_EQ(summary["loaded"].size(), 1u) << summary.dump();
  auto thrown = run("broken-throw", nlohmann::json::object());
  ASSERT_FALSE(thrown);
  EXPECT_EQ(thrown.err().code, errc::internal);
  auto garbage = run("broken-garbage", nlohmann::json::object());
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.err().code, errc::internal);
  auto reported = run("broken-error", nlohmann::json::object());
  ASSERT_FALSE(reported);
  EXPECT_EQ(reported.err().code, errc::invalid_field);
  EXPECT_EQ(reported.err().detail, "payload.x must be set");
  EXPECT_EQ(reported.err().extensions["field"], "payload.x");
  auto silent = run("broken-silent", nlohmann::json::object());
  ASSERT_FALSE(silent);
  EXPECT_EQ(silent.err().code, errc::internal);
  EXPECT_EQ(registry->stats("broken-throw")->errors(), 1u);
}

TEST_F(PluginSystemLoaderTest, RefusesASymlinkThatLeavesTheDirectories) {
  temp_dir outside;
  auto real = outside.add(NZL_EXAMPLE_PLUGIN, "libnzl_example.so");
  fs::create_symlink(real, dir.path() / "escape.so");
  auto host = host_over({dir.path()});
  auto summary = host.reload();
  EXPECT_TRUE(summary["loaded"].empty());
  EXPECT_NE(reason_for(summary, "escape.so").find("outside the plugin directories"),
            std::string::npos)
      << summary.dump();
  EXPECT_EQ(registry->find("example-reverse"), nullptr);
}

TEST_F(PluginSystemLoaderTest, FollowsASymlinkWithinTheDirectories) {
  temp_dir other;
  auto real = other.add(NZL_EXAMPLE_PLUGIN, "libnzl_example-1.0.so.real");
  fs::create_symlink(real, dir.path() / "example.so");
  auto host = host_over({dir.path(), other.path()});
  auto summary = host.reload();
  ASSERT_EQ(summary["loaded"].size(), 1u) << summary.dump();
  EXPECT_EQ(summary["loaded"][0]["source"], fs::canonical(real).string());
}

TEST_F(PluginSystemLoaderTest, RefusesTheSamePluginFromTwoDirectories) {
  temp_dir second;
  dir.add(NZL_EXAMPLE_PLUGIN, "libnzl_example.so");
  second.add(NZL_EXAMPLE_PLUGIN, "libnzl_example.so");
  auto host = host_over({dir.path(), second.path()});
  auto summary = host.reload();
  ASSERT_EQ(summary["loaded"].size(), 1u);
  ASSERT_EQ(summary["refused"].size(), 1u);
  EXPECT_EQ(summary["refused"][0]["path"], (second.path() / "libnzl_example.so").string());
  EXPECT_EQ(summary["refused"][0]["reason"], "duplicate plugin name 'example'");
}

TEST_F(PluginSystemLoaderTest, ReloadKeepsUnchangedPluginsAndDropsRemovedOnes) {
  auto file = dir.add(NZL_EXAMPLE_PLUGIN, "libnzl_example.so");
  auto host = host_over({dir.path()});
  host.reload();
  auto* before = registry->find("example-reverse");
  ASSERT_NE(before, nullptr);
  ASSERT_TRUE(before->run({{"text", "x"}}, ctx));
  host.reload(); // nothing changed: same handler, same statistics
  EXPECT_EQ(registry->find("example-reverse"), before);
  EXPECT_EQ(registry->stats("example-reverse")->calls(), 1u);

  fs::remove(file);
  auto summary = host.reload();
  EXPECT_TRUE(summary["loaded"].empty());
  EXPECT_EQ(registry->find("example-reverse"), nullptr);
  // A task that found the handler before the reload still runs its code.
  auto late = before->run({{"text", "ab"}}, ctx);
  ASSERT_TRUE(late);
  EXPECT_EQ((*late)["text"], "ba");
}

TEST_F(PluginSystemLoaderTest, RefusesALibraryReplacedInPlace) {
  auto file = dir.add(NZL_EXAMPLE_PLUGIN, "libnzl_example.so");
  auto host = host_over({dir.path()});
  host.reload();
  // A new inode at the same path, as `cp new.so` over a removed file or `mv` gives.
  fs::remove(file);
  dir.add(NZL_EXAMPLE_PLUGIN, "tmp.bin");
  fs::rename(dir.path() / "tmp.bin", file);
  auto summary = host.reload();
  EXPECT_NE(reason_for(summary, "libnzl_example.so").find("replaced in place"), std::string::npos)
      << summary.dump();
}

TEST_F(PluginSystemLoaderTest, AMissingDirectoryLoadsNothing) {
  auto host = host_over({dir.path() / "nope"});
  auto summary = host.reload();
  EXPECT_TRUE(summary["loaded"].empty());
  EXPECT_TRUE(summary["refused"].empty());
  EXPECT_NE(registry->find("echo"), nullptr);
}

TEST_F(PluginSystemLoaderTest, DescribesLoadedPluginsForTheListEndpoint) {
  dir.add(NZL_EXAMPLE_PLUGIN, "libnzl_example.so");
  auto host = host_over({dir.path()});
  host.reload();
  ASSERT_TRUE(run("example-reverse", {{"text", "x"}}));
  auto d = host.describe();
  ASSERT_EQ(d["plugins"].size(), 2u);
  EXPECT_EQ(d["plugins"][0]["source"], "builtin");
  const auto& ex = d["plugins"][1];
  EXPECT_EQ(ex["name"], "example");
  EXPECT_EQ(ex["version"], "1.0.0");
  EXPECT_EQ(ex["source"], fs::canonical(dir.path() / "libnzl_example.so").string());
  EXPECT_EQ(ex["handlers"][0]["type"], "example-reverse");
  EXPECT_EQ(ex["handlers"][0]["calls"], 1);
  EXPECT_EQ(ex["middleware"], (nlohmann::json{{{"name", "example-guard"}, {"order", 100}}}));
}

TEST_F(PluginSystemLoaderTest, LoaderRefusesTakenMiddlewareNames) {
  dir.add(NZL_EXAMPLE_PLUGIN, "libnzl_example.so");
  plugin_loader loader{loader_options{{dir.path()}}};
  auto report = loader.load({}, {"example-guard"});
  EXPECT_TRUE(report.loaded.empty());
  ASSERT_EQ(report.refused.size(), 1u);
  EXPECT_EQ(report.refused[0].reason, "duplicate middleware name 'example-guard'");
}

} // namespace
} // namespace nzl::plugins
