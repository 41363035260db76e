#include "core/log.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace nzl::log {
namespace {

// Captures what the logger writes to stderr during `body`, one entry a line.
template <class Body> std::vector<std::string> capture(Body body) {
  char path[] = "/tmp/nzl-log-test-XXXXXX";
  int fd = ::mkstemp(path);
  EXPECT_GE(fd, 0);
  int saved = ::dup(STDERR_FILENO);
  ::dup2(fd, STDERR_FILENO);
  body();
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  ::close(fd);
  std::ifstream in{path};
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  ::unlink(path);
  return lines;
}

TEST(LogTest, EveryLineIsOneJsonObject) {
  set_level(level::debug);
  auto lines = capture([] {
    emit(level::info, "request", R"("path":{},"status":{})", quote("/a\"b\\c\n\x01"), 200);
    emit(level::warn, "no_fields", "");
    write(level::error, "raw", R"("x":1)");
  });
  set_level(level::info);
  ASSERT_EQ(lines.size(), 3u);
  for (const auto& line : lines) {
    auto doc = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << line;
    EXPECT_TRUE(doc.contains("ts") && doc.contains("level") && doc.contains("event")) << line;
  }
  auto first = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(first["path"], "/a\"b\\c\n\x01");
  EXPECT_EQ(first["status"], 200);
  EXPECT_EQ(first["level"], "info");
  EXPECT_EQ(nlohmann::json::parse(lines[1])["event"], "no_fields");
}

TEST(LogTest, LinesBelowTheLevelAreDropped) {
  set_level(level::warn);
  auto lines = capture([] {
    emit(level::info, "hidden", R"("a":{})", 1);
    emit(level::error, "shown", R"("a":{})", 2);
  });
  set_level(level::info);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["event"], "shown");
}

TEST(LogTest, ParsesLevels) {
  level lvl = level::info;
  EXPECT_TRUE(parse_level("debug", lvl));
  EXPECT_EQ(lvl, level::debug);
  EXPECT_TRUE(parse_level("off", lvl));
  EXPECT_FALSE(parse_level("verbose", lvl));
}

} // namespace
} // namespace nzl::log
