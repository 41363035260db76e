#include "net/ws/internal/json_text.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace nzl::net::ws::internal {
namespace {

using nlohmann::json;

// What the writers give must read back as the value nlohmann would write.
json read(const std::string& text) {
  return json::parse(text, nullptr, false);
}

TEST(WsJsonTextTest, PlainStringsAreQuotedAsTheyAre) {
  std::string out;
  append_quoted(out, "0b9e5c1e-2f7a-4c3d-8e1f-1234567890ab");
  EXPECT_EQ(out, R"("0b9e5c1e-2f7a-4c3d-8e1f-1234567890ab")");
}

TEST(WsJsonTextTest, StringsThatNeedEscapingAreEscaped) {
  for (std::string s : {std::string{"quote \" and \\ backslash"}, std::string{"tab\tnewline\n"},
                        std::string{"caf\xc3\xa9"}, std::string{"\x01"}, std::string{}}) {
    std::string out;
    append_quoted(out, s);
    auto back = read(out);
    ASSERT_TRUE(back.is_string()) << out;
    EXPECT_EQ(back.get<std::string>(), s);
  }
}

TEST(WsJsonTextTest, InvalidUtf8IsReplacedNotThrown) {
  std::string out;
  append_quoted(out, "bad \xff byte");
  EXPECT_TRUE(read(out).is_string()) << out;
}

TEST(WsJsonTextTest, NumbersReadBackExactly) {
  for (double v : {0.0, 1.0, 0.0012, 12.5, 1e-7, 123456789.25, 1e21, -3.0,
                   std::numeric_limits<double>::min(), std::numeric_limits<double>::max()}) {
    std::string out;
    append_number(out, v);
    auto back = read(out);
    ASSERT_TRUE(back.is_number_float()) << out; // a double stays a double (".0")
    EXPECT_EQ(back.get<double>(), v) << out;
  }
}

TEST(WsJsonTextTest, NonFiniteNumbersAreNullAsNlohmannWritesThem) {
  std::string out;
  append_number(out, std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(out, "null");
  EXPECT_EQ(json(std::numeric_limits<double>::infinity()).dump(), "null");
}

TEST(WsJsonTextTest, IdsAreWrittenAsDumpWritesThem) {
  for (const json& id : {json(0), json(42), json(-7), json(std::uint64_t{18446744073709551615ULL}),
                         json(std::int64_t{-9223372036854775807LL - 1}), json("abc-1"),
                         json("with \"quotes\""), json(nullptr)})
    EXPECT_EQ(id_text(id), id.dump()) << id.dump();
}

} // namespace
} // namespace nzl::net::ws::internal
