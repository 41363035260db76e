#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace nzl::test {

bool current_test_failed() {
  auto* unit = ::testing::UnitTest::GetInstance();
  if (const auto* info = unit->current_test_info())
    return info->result()->Failed();
  if (const auto* suite = unit->current_test_suite())
    return suite->Failed();
  return unit->Failed();
}

temp_dir::temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string{base && *base ? base : "/tmp"} + "/nzl-it-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data()))
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
  path_ = buf.data();
}

temp_dir::~temp_dir() {
  if (current_test_failed()) {
    std::cerr << "[ support  ] kept " << path_.string() << " for a look\n";
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path temp_dir::write(const std::string& name, const std::string& text) const {
  auto file = path_ / name;
  std::ofstream out{file, std::ios::binary | std::ios::trunc};
  out << text;
  if (!out)
    throw std::runtime_error("cannot write " + file.string());
  return file;
}

} // namespace nzl::test
