#pragma once

#include "plugins/handler_registry.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace nzl::plugins {

struct loader_options {
  /// Directories whose `*.so` files are plugins (not searched recursively).
  std::vector<std::filesystem::path> directories;
  /// Library files looked at per load, over all directories; the rest are
  /// refused.
  std::size_t max_files = 256;
};

struct refused_plugin {
  std::string path;
  std::string reason;
};

struct load_report {
  std::vector<plugin_set> loaded; ///< directories in order, files by name
  std::vector<refused_plugin> refused;
};

/// Finds and loads external plugins (shared libraries over the C ABI of
/// plugins/abi/noizylab_plugin.h) with dlopen(RTLD_NOW | RTLD_LOCAL).
///
/// A file is refused, with one `plugin_refused` warn line naming it and the
/// reason, when: its real path (symlinks resolved) is not inside a listed
/// directory; dlopen fails; the entry symbol is missing or declines; the
/// descriptor's ABI version is not the host's; the descriptor is malformed
/// (a bad name, a NULL function, too many handlers); a type, middleware or
/// plugin name is taken (by `taken_*` or an earlier plugin of the same load);
/// or a library already loaded was replaced in place (a loaded library can
/// never be replaced: install a new version under a new file name).
///
/// Libraries that load stay loaded for the life of the process (never
/// dlclose: a task may still run their code); a later `load` of the same
/// unchanged file hands back the same handler objects. A refused library that
/// was opened by this load is closed again (nothing references it).
///
/// Not thread-safe: one caller at a time (plugin_host serialises). Blocks on
/// the file system and the dynamic linker: keep it off io and scheduler
/// threads.
class plugin_loader {
public:
  explicit plugin_loader(loader_options options);
  plugin_loader(const plugin_loader&) = delete;
  plugin_loader& operator=(const plugin_loader&) = delete;

  [[nodiscard]] load_report load(const std::vector<std::string>& taken_types,
                                 const std::vector<std::string>& taken_middleware);

private:
  struct library {
    std::uint64_t dev = 0;
    std::uint64_t ino = 0;
    plugin_set set;
  };

  loader_options options_;
  std::map<std::string, library> libraries_; // by real path; never unloaded
};

} // namespace nzl::plugins
