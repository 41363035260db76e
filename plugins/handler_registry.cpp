// The handler registry: what runs a task of a given type, and what runs
// around it.
//
// Model: the registry publishes an immutable `snapshot` (type -> wrapped
// handler, the sorted middleware chain, the per-plugin listing) through one
// atomic pointer. Lookups load the pointer (acquire) and read; writers, under
// a mutex, build a new snapshot and store it (release). Snapshots are never
// freed before the registry: a lookup in progress may still read an old one,
// and a running task holds a plain reference to its wrapper. A reload that
// yields the same plugins (the loader hands back the same objects) publishes
// nothing, so retained memory grows only with real changes.
//
// Each handler is wrapped once (`registered_handler`) and the wrapper is
// reused by later snapshots while the same handler object stays registered,
// so its statistics survive unrelated reloads. The wrapper finds the current
// middleware chain through the registry's pointer at call time: an empty
// chain costs one atomic load and a branch. Statistics cost one relaxed
// fetch_add per call, plus two clock reads and four relaxed writes for a
// timed call (1 in 16 for cheap handlers: see handler_stats).
#include "plugins/handler_registry.hpp"

#include "core/log.hpp"
#include "plugins/builtin/echo_handler.hpp"
#include "plugins/builtin/json_validator_handler.hpp"

#include <algorithm>
#include <exception>
#include <map>
#include <unordered_map>

namespace nzl::plugins {

// ---- handler_stats ----

void handler_stats::record_latency(std::chrono::nanoseconds elapsed) noexcept {
  auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(0, elapsed.count()));
  auto n = timed_.fetch_add(1, std::memory_order_relaxed);
  total_ns_.fetch_add(ns, std::memory_order_relaxed);
  recent_ns_[n % window].store(ns, std::memory_order_relaxed);
  last_ns_.store(ns, std::memory_order_relaxed);
}

void handler_stats::record(std::chrono::nanoseconds elapsed, bool failed) noexcept {
  begin_call();
  record_latency(elapsed);
  if (failed)
    record_error();
}

double handler_stats::mean_ms() const noexcept {
  auto n = timed_.load(std::memory_order_relaxed);
  if (n == 0)
    return 0.0;
  return static_cast<double>(total_ns_.load(std::memory_order_relaxed)) / 1e6 /
         static_cast<double>(n);
}

std::optional<double> handler_stats::recent_p95_ms() const {
  auto n = static_cast<std::size_t>(
      std::min<std::uint64_t>(timed_.load(std::memory_order_relaxed), window));
  if (n == 0)
    return std::nullopt;
  std::array<std::uint64_t, window> copy{};
  for (std::size_t i = 0; i < n; ++i)
    copy[i] = recent_ns_[i].load(std::memory_order_relaxed);
  // Nearest rank: the smallest sample with at least 95 % of samples <= it.
  auto rank = (n * 95 + 99) / 100;
  auto nth = copy.begin() + static_cast<std::ptrdiff_t>(rank - 1);
  std::nth_element(copy.begin(), nth, copy.begin() + static_cast<std::ptrdiff_t>(n));
  return static_cast<double>(*nth) / 1e6;
}

// ---- the published set ----

namespace {

class registered_handler;

struct listing {
  std::string name;
  std::string version;
  std::string source;
  std::vector<std::shared_ptr<registered_handler>> handlers;
  std::vector<std::shared_ptr<plugins::middleware>> middleware;
};

} // namespace

struct handler_registry::snapshot {
  std::map<std::string, std::shared_ptr<registered_handler>, std::less<>> handlers;
  std::vector<std::shared_ptr<middleware>> chain; // sorted by order, then registration
  bool chain_inline = true;                       // every middleware runs_inline
  std::vector<listing> plugins;                   // built-ins first
};

namespace {

using snapshot_ptr = const std::atomic<const handler_registry::snapshot*>*;

error threw(std::string_view what_ran, std::string_view name, const char* what) {
  if (what)
    log::emit(log::level::error, "handler_threw", R"("{}":{},"what":{})", what_ran,
              log::quote(name), log::quote(what));
  else
    log::emit(log::level::error, "handler_threw", R"("{}":{})", what_ran, log::quote(name));
  return fail(errc::internal,
              "the '" + std::string{name} + "' " + std::string{what_ran} + " failed unexpectedly");
}

result<nlohmann::json> call_handler(task_handler& h, nlohmann::json payload, handler_context& ctx) {
  try {
    return h.run(std::move(payload), ctx);
  } catch (const std::exception& e) {
    return threw("type", h.type(), e.what());
  } catch (...) {
    return threw("type", h.type(), nullptr);
  }
}

result<nlohmann::json> call_before(middleware& m, std::string_view type, nlohmann::json payload,
                                   handler_context& ctx) {
  try {
    return m.before_task(type, std::move(payload), ctx);
  } catch (const std::exception& e) {
    return threw("middleware", m.name(), e.what());
  } catch (...) {
    return threw("middleware", m.name(), nullptr);
  }
}

result<nlohmann::json> call_after(middleware& m, std::string_view type,
                                  result<nlohmann::json> outcome, handler_context& ctx) {
  try {
    return m.after_task(type, std::move(outcome), ctx);
  } catch (const std::exception& e) {
    return threw("middleware", m.name(), e.what());
  } catch (...) {
    return threw("middleware", m.name(), nullptr);
  }
}

/// What `handler_registry::find` hands out: the handler plus its statistics
/// and the registry's middleware chain.
class registered_handler final : public task_handler {
public:
  registered_handler(std::shared_ptr<task_handler> inner, snapshot_ptr current)
      : inner_(std::move(inner)), current_(current) {}

  std::string_view type() const noexcept override { return inner_->type(); }

  bool runs_inline(const nlohmann::json& payload) const noexcept override {
    return current_->load(std::memory_order_acquire)->chain_inline && inner_->runs_inline(payload);
  }

  result<nlohmann::json> run(nlohmann::json payload, handler_context& ctx) override {
    const auto& chain = current_->load(std::memory_order_acquire)->chain;
    auto timed = stats_.wants_timing(stats_.begin_call());
    std::chrono::steady_clock::time_point start;
    if (timed)
      start = std::chrono::steady_clock::now();
    auto out = chain.empty() ? call_handler(*inner_, std::move(payload), ctx)
                             : run_chain(chain, std::move(payload), ctx);
    if (timed)
      stats_.record_latency(std::chrono::steady_clock::now() - start);
    if (!out)
      stats_.record_error();
    return out;
  }

  const task_handler* inner() const noexcept { return inner_.get(); }
  const handler_stats& stats() const noexcept { return stats_; }

private:
  // The onion: before_task in chain order until one refuses, the handler if
  // none did, then after_task in reverse for every middleware whose
  // before_task ran and passed.
  result<nlohmann::json> run_chain(const std::vector<std::shared_ptr<middleware>>& chain,
                                   nlohmann::json payload, handler_context& ctx) {
    auto t = type();
    result<nlohmann::json> out{nlohmann::json{}};
    std::size_t entered = 0;
    bool refused = false;
    for (; entered < chain.size(); ++entered) {
      auto next = call_before(*chain[entered], t, std::move(payload), ctx);
      if (!next) {
        out = std::move(next).err();
        refused = true;
        break;
      }
      payload = std::move(*next);
    }
    if (!refused)
      out = call_handler(*inner_, std::move(payload), ctx);
    while (entered-- > 0)
      out = call_after(*chain[entered], t, std::move(out), ctx);
    return out;
  }

  std::shared_ptr<task_handler> inner_;
  snapshot_ptr current_;
  handler_stats stats_;
};

registered_handler* wrapper_of(const handler_registry::snapshot* s, std::string_view type) {
  if (!s)
    return nullptr;
  auto i = s->handlers.find(type);
  return i == s->handlers.end() ? nullptr : i->second.get();
}

bool same_set(const plugin_set& a, const plugin_set& b) {
  return a.name == b.name && a.version == b.version && a.source == b.source &&
         a.handlers == b.handlers && a.middleware == b.middleware;
}

} // namespace

// ---- handler_registry ----

handler_registry::handler_registry(std::string builtin_version) {
  builtins_.name = "builtin";
  builtins_.version = std::move(builtin_version);
  builtins_.source = "builtin";
  std::lock_guard guard{write_mutex_};
  publish();
}

handler_registry::~handler_registry() = default;

bool handler_registry::add(std::shared_ptr<task_handler> handler) {
  std::lock_guard guard{write_mutex_};
  if (wrapper_of(current_.load(std::memory_order_acquire), handler->type()))
    return false;
  builtins_.handlers.push_back(std::move(handler));
  publish();
  return true;
}

bool handler_registry::add_middleware(std::shared_ptr<middleware> mw) {
  std::lock_guard guard{write_mutex_};
  for (const auto& m : current_.load(std::memory_order_acquire)->chain)
    if (m->name() == mw->name())
      return false;
  builtins_.middleware.push_back(std::move(mw));
  publish();
  return true;
}

result<bool> handler_registry::set_plugins(std::vector<plugin_set> plugins) {
  std::lock_guard guard{write_mutex_};
  std::map<std::string, std::string, std::less<>> types; // type -> owner
  std::map<std::string, std::string, std::less<>> names; // middleware -> owner
  auto claim = [](auto& taken, std::string_view key, const std::string& owner) {
    return taken.emplace(std::string{key}, owner).second;
  };
  for (const auto& h : builtins_.handlers)
    claim(types, h->type(), builtins_.name);
  for (const auto& m : builtins_.middleware)
    claim(names, m->name(), builtins_.name);
  for (const auto& p : plugins) {
    if (p.name == "builtin")
      return fail(errc::invalid_field, "a plugin may not be named 'builtin' (" + p.source + ")");
    for (const auto& h : p.handlers)
      if (!claim(types, h->type(), p.name))
        return fail(errc::conflict, "task type '" + std::string{h->type()} + "' of plugin '" +
                                        p.name + "' is already served by '" +
                                        types.find(h->type())->second + "'");
    for (const auto& m : p.middleware)
      if (!claim(names, m->name(), p.name))
        return fail(errc::conflict, "middleware '" + std::string{m->name()} + "' of plugin '" +
                                        p.name + "' is already registered by '" +
                                        names.find(m->name())->second + "'");
  }
  if (std::equal(plugins.begin(), plugins.end(), plugins_.begin(), plugins_.end(), same_set))
    return true; // nothing changed: keep the current set (and retain nothing new)
  plugins_ = std::move(plugins);
  publish();
  return true;
}

void handler_registry::publish() {
  const auto* old = current_.load(std::memory_order_acquire);
  // Reuse the wrapper (and its statistics) of a handler object that stays.
  std::unordered_map<const task_handler*, std::shared_ptr<registered_handler>> kept;
  if (old)
    for (const auto& [type, w] : old->handlers)
      kept.emplace(w->inner(), w);
  auto next = std::make_unique<snapshot>();
  std::vector<std::pair<std::size_t, std::shared_ptr<middleware>>> chain;
  auto take = [&](const plugin_set& set) {
    listing l{set.name, set.version, set.source, {}, set.middleware};
    for (const auto& h : set.handlers) {
      auto i = kept.find(h.get());
      auto w = i != kept.end() ? i->second : std::make_shared<registered_handler>(h, &current_);
      next->handlers.emplace(std::string{h->type()}, w);
      l.handlers.push_back(std::move(w));
    }
    for (const auto& m : set.middleware)
      chain.emplace_back(chain.size(), m);
    next->plugins.push_back(std::move(l));
  };
  take(builtins_);
  for (const auto& p : plugins_)
    take(p);
  // Stable by order, then by registration (built-ins, then load order).
  std::sort(chain.begin(), chain.end(), [](const auto& a, const auto& b) {
    auto oa = a.second->order();
    auto ob = b.second->order();
    return oa != ob ? oa < ob : a.first < b.first;
  });
  for (auto& [seq, m] : chain) {
    next->chain_inline = next->chain_inline && m->runs_inline();
    next->chain.push_back(std::move(m));
  }
  current_.store(next.get(), std::memory_order_release);
  published_.push_back(std::move(next));
}

task_handler* handler_registry::find(std::string_view type) const noexcept {
  return wrapper_of(current_.load(std::memory_order_acquire), type);
}

std::vector<std::string> handler_registry::types() const {
  const auto* s = current_.load(std::memory_order_acquire);
  std::vector<std::string> out;
  out.reserve(s->handlers.size());
  for (const auto& entry : s->handlers)
    out.push_back(entry.first);
  return out;
}

std::vector<std::string> handler_registry::builtin_types() const {
  std::vector<std::string> out;
  for (const auto& w : current_.load(std::memory_order_acquire)->plugins.front().handlers)
    out.emplace_back(w->type());
  return out;
}

std::vector<std::string> handler_registry::builtin_middleware() const {
  std::vector<std::string> out;
  for (const auto& m : current_.load(std::memory_order_acquire)->plugins.front().middleware)
    out.emplace_back(m->name());
  return out;
}

const handler_stats* handler_registry::stats(std::string_view type) const noexcept {
  auto* w = wrapper_of(current_.load(std::memory_order_acquire), type);
  return w ? &w->stats() : nullptr;
}

std::optional<double> handler_registry::recent_p95_ms(std::string_view type) const {
  const auto* s = stats(type);
  return s ? s->recent_p95_ms() : std::nullopt;
}

std::vector<std::string> handler_registry::middleware_names() const {
  std::vector<std::string> out;
  for (const auto& m : current_.load(std::memory_order_acquire)->chain)
    out.emplace_back(m->name());
  return out;
}

nlohmann::json handler_registry::describe() const {
  const auto* s = current_.load(std::memory_order_acquire);
  auto plugins = nlohmann::json::array();
  for (const auto& p : s->plugins) {
    auto handlers = nlohmann::json::array();
    for (const auto& w : p.handlers) {
      const auto& st = w->stats();
      auto p95 = st.recent_p95_ms();
      handlers.push_back({{"type", w->type()},
                          {"calls", st.calls()},
                          {"errors", st.errors()},
                          {"mean_ms", st.mean_ms()},
                          {"p95_ms", p95 ? nlohmann::json(*p95) : nlohmann::json()}});
    }
    auto mws = nlohmann::json::array();
    for (const auto& m : p.middleware)
      mws.push_back({{"name", m->name()}, {"order", m->order()}});
    plugins.push_back({{"name", p.name},
                       {"version", p.version},
                       {"source", p.source},
                       {"handlers", std::move(handlers)},
                       {"middleware", std::move(mws)}});
  }
  return {{"plugins", std::move(plugins)}};
}

void add_builtin_handlers(handler_registry& registry) {
  registry.add(std::make_shared<builtin::echo_handler>());
  registry.add(std::make_shared<builtin::json_validator_handler>());
}

} // namespace nzl::plugins
