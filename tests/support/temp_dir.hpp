#pragma once

#include <filesystem>
#include <string>

namespace nzl::test {

/// A fresh directory under $TMPDIR (or /tmp). The destructor removes it unless
/// the current test failed; then it prints the path and keeps it for a look.
class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

  /// Writes `text` to path()/name and returns the file's path.
  std::filesystem::path write(const std::string& name, const std::string& text) const;

private:
  std::filesystem::path path_;
};

/// True when the running test (or, between tests, the running suite) failed.
[[nodiscard]] bool current_test_failed();

} // namespace nzl::test
