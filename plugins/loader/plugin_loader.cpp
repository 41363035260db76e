// Loading external plugins. The trust model: the operator decides which
// directories hold plugins (the manifest's plugins.directories); a library is
// native code with the node's privileges, so the loader's job is not to
// sandbox it but to load only what is in those directories, to refuse what
// does not speak this host's ABI, and to keep a refused or broken plugin from
// taking the node down or shadowing a handler. Every refusal is one log line.
#include "plugins/loader/plugin_loader.hpp"

#include "core/log.hpp"
#include "plugins/abi/noizylab_plugin.h"
#include "plugins/loader/c_adapter.hpp"

#include <algorithm>
#include <cstring>
#include <dlfcn.h>
#include <exception>
#include <set>
#include <sys/stat.h>

namespace nzl::plugins {

namespace {

constexpr std::size_t max_name_bytes = 64;
constexpr std::size_t max_version_bytes = 64;
constexpr std::size_t max_handlers = 64;
constexpr std::size_t max_middleware = 16;

/// A plugin-provided name: [a-z0-9][a-z0-9._-]{0,63}.
bool valid_name(const char* s) {
  if (!s)
    return false;
  auto n = ::strnlen(s, max_name_bytes + 1);
  if (n == 0 || n > max_name_bytes)
    return false;
  for (std::size_t i = 0; i < n; ++i) {
    char c = s[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
      return false;
  }
  return true;
}

std::string printable(const char* s) {
  if (!s)
    return "(null)";
  std::string out{s, ::strnlen(s, max_name_bytes + 1)};
  return out.size() > max_name_bytes ? out.substr(0, max_name_bytes) + "..." : out;
}

/// True when `p` lies inside the directory `dir` (both canonical).
bool inside(const std::filesystem::path& p, const std::filesystem::path& dir) {
  auto d = dir.native();
  if (d.empty() || d.back() != '/')
    d += '/';
  return p.native().compare(0, d.size(), d) == 0;
}

/// Checks the descriptor; an empty string means it is well-formed.
std::string check_descriptor(const nzl_plugin_desc& d) {
  if (d.abi_version != NZL_PLUGIN_ABI_VERSION)
    return "plugin ABI version " + std::to_string(d.abi_version) + ", this node speaks version " +
           std::to_string(NZL_PLUGIN_ABI_VERSION);
  if (!valid_name(d.name))
    return "plugin name '" + printable(d.name) + "' is not [a-z0-9][a-z0-9._-]{0,63}";
  if (d.version && ::strnlen(d.version, max_version_bytes + 1) > max_version_bytes)
    return "version string longer than 64 bytes";
  if (!d.free_output)
    return "free_output is NULL";
  if (d.handler_count > max_handlers)
    return "more than " + std::to_string(max_handlers) + " handlers";
  if (d.middleware_count > max_middleware)
    return "more than " + std::to_string(max_middleware) + " middleware";
  if ((d.handler_count && !d.handlers) || (d.middleware_count && !d.middleware))
    return "a handler or middleware array is NULL";
  if (d.handler_count + d.middleware_count == 0)
    return "no handlers and no middleware";
  for (std::size_t i = 0; i < d.handler_count; ++i) {
    const auto& h = d.handlers[i];
    if (!valid_name(h.type))
      return "handler type '" + printable(h.type) + "' is not [a-z0-9][a-z0-9._-]{0,63}";
    if (!h.run)
      return "handler '" + std::string{h.type} + "' has no run function";
  }
  for (std::size_t i = 0; i < d.middleware_count; ++i) {
    const auto& m = d.middleware[i];
    if (!valid_name(m.name))
      return "middleware name '" + printable(m.name) + "' is not [a-z0-9][a-z0-9._-]{0,63}";
    if (!m.before_task && !m.after_task)
      return "middleware '" + std::string{m.name} + "' has neither before_task nor after_task";
  }
  return {};
}

/// The names a descriptor claims that are taken already; empty if none.
std::string find_conflict(const plugin_set& set, const std::set<std::string, std::less<>>& types,
                          const std::set<std::string, std::less<>>& middleware,
                          const std::set<std::string, std::less<>>& plugins) {
  if (set.name == "builtin" || plugins.count(set.name))
    return "duplicate plugin name '" + set.name + "'";
  std::set<std::string, std::less<>> own_types;
  for (const auto& h : set.handlers)
    if (types.count(h->type()) || !own_types.emplace(h->type()).second)
      return "duplicate task type '" + std::string{h->type()} + "'";
  std::set<std::string, std::less<>> own_mw;
  for (const auto& m : set.middleware)
    if (middleware.count(m->name()) || !own_mw.emplace(m->name()).second)
      return "duplicate middleware name '" + std::string{m->name()} + "'";
  return {};
}

plugin_set make_set(const nzl_plugin_desc& d, const std::string& source) {
  plugin_set set;
  set.name = d.name;
  set.version = d.version ? d.version : "";
  set.source = source;
  for (std::size_t i = 0; i < d.handler_count; ++i)
    set.handlers.push_back(std::make_shared<c_handler>(d, d.handlers[i]));
  for (std::size_t i = 0; i < d.middleware_count; ++i)
    set.middleware.push_back(std::make_shared<c_middleware>(d, d.middleware[i]));
  return set;
}

} // namespace

plugin_loader::plugin_loader(loader_options options) : options_(std::move(options)) {}

load_report plugin_loader::load(const std::vector<std::string>& taken_types,
                                const std::vector<std::string>& taken_middleware) {
  load_report report;
  auto refuse = [&](const std::string& path, std::string reason) {
    log::emit(log::level::warn, "plugin_refused", R"("path":{},"reason":{})", log::quote(path),
              log::quote(reason));
    report.refused.push_back({path, std::move(reason)});
  };

  std::vector<std::filesystem::path> dirs;
  for (const auto& d : options_.directories) {
    std::error_code ec;
    auto real = std::filesystem::canonical(d, ec);
    if (ec || !std::filesystem::is_directory(real, ec)) {
      log::emit(log::level::warn, "plugin_directory_missing", R"("path":{})",
                log::quote(d.string()));
      continue;
    }
    dirs.push_back(std::move(real));
  }

  std::set<std::string, std::less<>> types(taken_types.begin(), taken_types.end());
  std::set<std::string, std::less<>> middleware(taken_middleware.begin(), taken_middleware.end());
  std::set<std::string, std::less<>> plugin_names;
  std::set<std::string> seen; // real paths loaded by this call
  std::size_t files = 0;

  for (const auto& dir : dirs) {
    std::vector<std::filesystem::path> candidates;
    std::error_code list_ec;
    for (std::filesystem::directory_iterator it{dir, list_ec}, end; !list_ec && it != end;
         it.increment(list_ec))
      if (it->path().extension() == ".so")
        candidates.push_back(it->path());
    if (list_ec)
      log::emit(log::level::warn, "plugin_directory_unreadable", R"("path":{},"error":{})",
                log::quote(dir.string()), log::quote(list_ec.message()));
    std::sort(candidates.begin(), candidates.end());

    for (const auto& file : candidates) {
      const auto shown = file.string();
      if (++files > options_.max_files) {
        refuse(shown, "more than " + std::to_string(options_.max_files) + " plugin files");
        continue;
      }
      std::error_code ec;
      auto real = std::filesystem::canonical(file, ec);
      if (ec) {
        refuse(shown, "cannot resolve the path: " + ec.message());
        continue;
      }
      if (std::none_of(dirs.begin(), dirs.end(), [&](const auto& d) { return inside(real, d); })) {
        refuse(shown, "resolves to " + real.string() + ", outside the plugin directories");
        continue;
      }
      struct ::stat st {};
      if (::stat(real.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        refuse(shown, "not a regular file");
        continue;
      }
      const auto key = real.string();
      if (!seen.insert(key).second) {
        refuse(shown, "the same library as another file of this load (" + key + ")");
        continue;
      }

      plugin_set set;
      void* opened = nullptr; // set when this call opened the library
      if (auto known = libraries_.find(key); known != libraries_.end()) {
        if (known->second.dev != static_cast<std::uint64_t>(st.st_dev) ||
            known->second.ino != static_cast<std::uint64_t>(st.st_ino)) {
          refuse(shown, "the loaded library was replaced in place; a loaded library stays loaded "
                        "until restart: install a new version under a new file name");
          continue;
        }
        set = known->second.set;
      } else {
        opened = ::dlopen(real.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!opened) {
          const char* why = ::dlerror();
          refuse(shown, std::string{"dlopen failed: "} + (why ? why : "unknown error"));
          continue;
        }
        ::dlerror();
        auto* sym = ::dlsym(opened, NZL_PLUGIN_ENTRY_NAME);
        if (!sym) {
          refuse(shown, "missing symbol " NZL_PLUGIN_ENTRY_NAME);
          ::dlclose(opened);
          continue;
        }
        const nzl_plugin_desc* desc = nullptr;
        std::string reason;
        try {
          desc = reinterpret_cast<nzl_plugin_entry_fn>(sym)(NZL_PLUGIN_ABI_VERSION);
        } catch (...) {
          reason = "the entry function threw an exception";
        }
        if (reason.empty() && !desc)
          reason = "the entry function declined (returned NULL)";
        if (reason.empty())
          reason = check_descriptor(*desc);
        if (!reason.empty()) {
          refuse(shown, std::move(reason));
          ::dlclose(opened);
          continue;
        }
        set = make_set(*desc, key);
      }

      if (auto conflict = find_conflict(set, types, middleware, plugin_names); !conflict.empty()) {
        refuse(shown, std::move(conflict));
        if (opened) {
          set = {}; // drop the adapters before their code goes
          ::dlclose(opened);
        }
        continue;
      }
      for (const auto& h : set.handlers)
        types.emplace(h->type());
      for (const auto& m : set.middleware)
        middleware.emplace(m->name());
      plugin_names.insert(set.name);
      if (opened)
        libraries_.emplace(key, library{static_cast<std::uint64_t>(st.st_dev),
                                        static_cast<std::uint64_t>(st.st_ino), set});
      log::emit(log::level::info, "plugin_loaded",
                R"("path":{},"name":{},"version":{},"handlers":{},"middleware":{})",
                log::quote(key), log::quote(set.name), log::quote(set.version), set.handlers.size(),
                set.middleware.size());
      report.loaded.push_back(std::move(set));
    }
  }
  return report;
}

} // namespace nzl::plugins
