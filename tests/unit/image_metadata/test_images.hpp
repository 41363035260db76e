#pragma once

#include "plugins/task_handler.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace nzl::plugins::image_metadata::test {

/// A context that records nothing and is never cancelled.
class null_context final : public handler_context {
public:
  void progress(int, std::string_view) override {}
  bool cancelled() const noexcept override { return cancelled_; }
  std::string_view region() const noexcept override { return "test"; }
  bool cancelled_ = false;
};

/// A fresh directory under the system temp dir, removed on destruction.
class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
  std::filesystem::path path_;
};

/// True when `tool` is on PATH.
[[nodiscard]] bool have_tool(const std::string& tool);

/// Runs argv (no shell), stdout captured into `out`; true on exit status 0.
bool run(const std::vector<std::string>& argv, std::string* out = nullptr);

[[nodiscard]] std::string read_file(const std::filesystem::path& p);
void write_file(const std::filesystem::path& p, const std::string& bytes);

} // namespace nzl::plugins::image_metadata::test
