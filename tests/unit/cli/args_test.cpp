#include "apps/cloudagent/args.hpp"

#include <gtest/gtest.h>

#include <array>

namespace nzl::cli {
namespace {

constexpr std::array specs_a{
    option_spec{"name", "N", "a name"},
    option_spec{"scope", "S", "a scope", true},
    option_spec{"json", "", "a flag"},
};

outcome<parsed_args> parse(std::vector<std::string> args, std::size_t positionals = 1,
                           bool stop = false) {
  std::array<std::span<const option_spec>, 1> specs{specs_a};
  return parse_args(args, specs, positionals, stop);
}

TEST(CliArgsTest, ReadsValuesFlagsAndPositionals) {
  auto r = parse({"--name", "ci", "--scope=admin", "--scope", "tasks:read", "--json", "k_1"});
  ASSERT_TRUE(r) << r.err().message;
  EXPECT_EQ(*r->value("name"), "ci");
  EXPECT_EQ(r->all("scope"), (std::vector<std::string>{"admin", "tasks:read"}));
  EXPECT_TRUE(r->has("json"));
  EXPECT_EQ(r->positionals, std::vector<std::string>{"k_1"});
  EXPECT_FALSE(r->help);
}

TEST(CliArgsTest, RefusesUnknownOptionsAndMissingValues) {
  for (auto args : std::vector<std::vector<std::string>>{
           {"--nope"}, {"--name"}, {"--json=1"}, {"-x"}, {"--name", "a", "--name", "b"}}) {
    auto r = parse(args);
    ASSERT_FALSE(r) << args.front();
    EXPECT_EQ(r.err().code, exit_code::usage);
  }
}

TEST(CliArgsTest, RefusesTooManyPositionals) {
  auto r = parse({"a", "b"});
  ASSERT_FALSE(r);
  EXPECT_NE(r.err().message.find("'b'"), std::string::npos);
}

TEST(CliArgsTest, HelpAnywhereAndDoubleDash) {
  auto r = parse({"--name", "x", "-h"});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->help);
  auto dashed = parse({"--", "--name"});
  ASSERT_TRUE(dashed);
  EXPECT_EQ(dashed->positionals, std::vector<std::string>{"--name"});
}

TEST(CliArgsTest, StopsAtFirstPositionalWhenAsked) {
  auto r = parse({"--json", "keys", "list", "--name", "x"}, 0, true);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->has("json"));
  EXPECT_EQ(r->rest, (std::vector<std::string>{"keys", "list", "--name", "x"}));
}

TEST(CliArgsTest, RefusesOverlongArguments) {
  auto r = parse({"--name", std::string(max_arg_bytes + 1, 'a')});
  EXPECT_FALSE(r);
}

TEST(CliArgsTest, FormatsOptionsAligned) {
  auto text = format_options(specs_a);
  EXPECT_NE(text.find("  --name N    a name\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  --scope S   a scope (repeatable)\n"), std::string::npos) << text;
}

} // namespace
} // namespace nzl::cli
