#include "apps/cloudagent/output.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace nzl::cli {
namespace {

TEST(CliOutputTest, AlignsColumnsWithoutTrailingSpaces) {
  table t{{"ID", "NAME", "STATUS"}};
  t.add_row({"k_1", "ci", "active"});
  t.add_row({"k_22", "deploy-bot", "revoked"});
  EXPECT_EQ(t.render(), "ID    NAME        STATUS\n"
                        "k_1   ci          active\n"
                        "k_22  deploy-bot  revoked\n");
}

TEST(CliOutputTest, PadsShortRowsAndMeasuresUtf8) {
  table t{{"A", "B"}};
  t.add_row({"\xc3\xa9t\xc3\xa9"}); // "été": three columns, five bytes
  EXPECT_EQ(t.render(), "A    B\n\xc3\xa9t\xc3\xa9  -\n");
}

TEST(CliOutputTest, MinimumWidthsAndHeaderlessPages) {
  table t{{"A", "B"}};
  t.min_width(0, 4);
  t.add_row({"x", "y"});
  EXPECT_EQ(t.render(false), "x     y\n");
}

TEST(CliOutputTest, SanitizesTerminalControls) {
  EXPECT_EQ(sanitize("a\x1b[31mred\x07"), "a?[31mred?");
  EXPECT_EQ(sanitize("csi\xc2\x9b"
                     "2J"),
            "csi?2J");
  EXPECT_EQ(sanitize("caf\xc3\xa9"), "caf\xc3\xa9");
  table t{{"NAME"}};
  t.add_row({"evil\x1b]0;title\x07"});
  EXPECT_EQ(t.render().find('\x1b'), std::string::npos);
}

TEST(CliOutputTest, ReadsUntrustedJsonWithoutThrowing) {
  auto j = nlohmann::json::parse(R"({"a":"x","n":1.5,"s":["p","q",3],"bad":7})");
  EXPECT_EQ(text_of(j, "a"), "x");
  EXPECT_EQ(text_of(j, "bad"), "-");
  EXPECT_EQ(text_of(j, "missing", "never"), "never");
  EXPECT_EQ(number_of(j, "n"), "1.5");
  EXPECT_EQ(joined(j, "s"), "p,q");
  EXPECT_EQ(joined(j, "a"), "-");
  EXPECT_TRUE(array_of(nlohmann::json(3), "x").empty());
  EXPECT_EQ(text_of(nlohmann::json::array(), "a"), "-");
}

TEST(CliOutputTest, DumpReplacesInvalidUtf8) {
  nlohmann::json j = std::string{"bad\xff"};
  EXPECT_NO_THROW((void)dump(j));
}

TEST(CliOutputTest, PrinterRedactsSecrets) {
  std::ostringstream out;
  std::ostringstream err;
  printer p{out, err};
  p.add_secret("nzk_secret");
  p.add_secret("");
  p.out("key nzk_secret and nzk_secret\n");
  p.err_line("detail: nzk_secret");
  EXPECT_EQ(out.str(), "key [redacted] and [redacted]\n");
  EXPECT_EQ(err.str(), "detail: [redacted]\n");
}

} // namespace
} // namespace nzl::cli
