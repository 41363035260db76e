// The adapter between the node's C++ plugin interface and the C ABI of
// plugins/abi/noizylab_plugin.h. Everything a plugin hands back is treated
// as untrusted input: outputs are bounded, parsed without exceptions, freed
// exactly once with the plugin's own free function, and a C++ exception that
// escapes a plugin function is caught here (the ABI forbids it, but a node
// must not die of a plugin bug it can survive).
#include "plugins/loader/c_adapter.hpp"

#include "core/log.hpp"
#include "core/problem.hpp"

#include <algorithm>
#include <exception>
#include <optional>

namespace nzl::plugins {

namespace {

constexpr std::size_t max_detail_bytes = 1024;
constexpr std::size_t max_extensions_bytes = 8192;
constexpr std::size_t max_stage_bytes = 256;

handler_context& context_of(nzl_host_ctx* c) {
  return *reinterpret_cast<handler_context*>(c);
}

nzl_host_ctx* handle_of(handler_context& ctx) {
  return reinterpret_cast<nzl_host_ctx*>(&ctx);
}

// The callbacks are entered from plugin code: nothing may escape them.
void host_progress(nzl_host_ctx* c, int percent, const char* stage, std::size_t len) {
  if (!c)
    return;
  try {
    std::string_view s =
        stage ? std::string_view{stage, std::min(len, max_stage_bytes)} : std::string_view{};
    context_of(c).progress(std::clamp(percent, 0, 100), s);
  } catch (...) {
  }
}

int host_cancelled(nzl_host_ctx* c) {
  return c && context_of(c).cancelled() ? 1 : 0;
}

const char* host_region(nzl_host_ctx* c, std::size_t* len) {
  std::string_view r = c ? context_of(c).region() : std::string_view{};
  if (len)
    *len = r.size();
  return r.data();
}

const nzl_host_api the_host_api{NZL_PLUGIN_ABI_VERSION, host_progress, host_cancelled, host_region};

/// Frees a plugin's output when it goes out of scope.
class owned_output {
public:
  explicit owned_output(void (*free_fn)(char*)) : free_(free_fn) {}
  ~owned_output() {
    if (out_.data && free_)
      free_(out_.data);
  }
  owned_output(const owned_output&) = delete;
  owned_output& operator=(const owned_output&) = delete;

  nzl_output* get() noexcept { return &out_; }
  bool empty() const noexcept { return out_.data == nullptr; }
  bool too_large() const noexcept { return out_.size > max_plugin_output_bytes; }
  std::string_view text() const noexcept { return {out_.data, out_.size}; }

private:
  nzl_output out_{nullptr, 0};
  void (*free_)(char*);
};

error plugin_bug(std::string_view plugin, std::string_view what) {
  log::emit(log::level::error, "plugin_failed", R"("plugin":{},"what":{})", log::quote(plugin),
            log::quote(what));
  return fail(errc::internal, "plugin '" + std::string{plugin} + "' " + std::string{what},
              {{"plugin", plugin}});
}

/// Calls `fn` (a plugin function) and catches what escapes it.
template <class Fn>
std::optional<error> guarded_call(std::string_view plugin, std::string_view what, int& rc,
                                  Fn&& fn) {
  try {
    rc = fn();
    return std::nullopt;
  } catch (const std::exception& e) {
    return plugin_bug(plugin,
                      std::string{what} + " threw an exception across the C ABI: " + e.what());
  } catch (...) {
    return plugin_bug(plugin, std::string{what} + " threw an exception across the C ABI");
  }
}

/// The JSON a successful call returned, or the error it stands for.
result<nlohmann::json> parse_output(std::string_view plugin, std::string_view what,
                                    const owned_output& out) {
  if (out.too_large())
    return plugin_bug(plugin, std::string{what} + " returned more than " +
                                  std::to_string(max_plugin_output_bytes) + " bytes");
  auto text = out.text();
  auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded())
    return plugin_bug(plugin, std::string{what} + " returned text that is not JSON");
  return j;
}

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json error_object(const error& e) {
  return {{"status", problem_type_of(e.code).status},
          {"code", to_string(e.code)},
          {"detail", e.detail},
          {"extensions", e.extensions}};
}

std::optional<errc> code_named(std::string_view name) {
  for (auto c : {errc::invalid_field, errc::task_failed, errc::task_cancelled, errc::task_timeout,
                 errc::upstream_failed, errc::overloaded, errc::unavailable, errc::internal})
    if (to_string(c) == name)
      return c;
  return std::nullopt;
}

errc code_for_status(std::int64_t status) {
  switch (status) {
  case 400:
    return errc::invalid_field;
  case 429:
    return errc::overloaded;
  case 502:
    return errc::upstream_failed;
  case 503:
    return errc::unavailable;
  case 504:
    return errc::task_timeout;
  default:
    return status >= 500 && status <= 599 ? errc::internal : errc::task_failed;
  }
}

} // namespace

const nzl_host_api& host_api() noexcept {
  return the_host_api;
}

error error_from_plugin(std::string_view plugin, std::string_view text) {
  auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (text.size() > max_plugin_output_bytes || j.is_discarded() || !j.is_object())
    return plugin_bug(plugin, "reported an error without a JSON error object");
  std::optional<errc> code;
  if (auto c = j.find("code"); c != j.end() && c->is_string())
    code = code_named(c->get_ref<const std::string&>());
  if (!code) {
    auto s = j.find("status");
    code = code_for_status(s != j.end() && s->is_number_integer() ? s->get<std::int64_t>() : 422);
  }
  std::string detail = "plugin '" + std::string{plugin} + "' reported an error";
  if (auto d = j.find("detail");
      d != j.end() && d->is_string() && !d->get_ref<const std::string&>().empty())
    detail = d->get_ref<const std::string&>().substr(0, max_detail_bytes);
  auto extensions = nlohmann::json::object();
  if (auto x = j.find("extensions");
      x != j.end() && x->is_object() && dump(*x).size() <= max_extensions_bytes)
    extensions = std::move(*x);
  if (!extensions.contains("plugin"))
    extensions["plugin"] = plugin;
  return fail(*code, std::move(detail), std::move(extensions));
}

// ---- c_handler ----

c_handler::c_handler(const nzl_plugin_desc& plugin, const nzl_handler_desc& handler)
    : plugin_(plugin), handler_(handler), plugin_name_(plugin.name), type_(handler.type) {}

result<nlohmann::json> c_handler::run(nlohmann::json payload, handler_context& ctx) {
  auto in = dump(payload);
  owned_output out{plugin_.free_output};
  int rc = NZL_PLUGIN_ERROR;
  if (auto e = guarded_call(plugin_name_, "handler '" + type_ + "'", rc, [&] {
        return handler_.run(handler_.user_data, &the_host_api, handle_of(ctx), in.data(), in.size(),
                            out.get());
      }))
    return std::move(*e);
  if (rc != NZL_PLUGIN_OK)
    return error_from_plugin(plugin_name_, out.text());
  if (out.empty())
    return plugin_bug(plugin_name_, "handler '" + type_ + "' returned no result");
  return parse_output(plugin_name_, "handler '" + type_ + "'", out);
}

// ---- c_middleware ----

c_middleware::c_middleware(const nzl_plugin_desc& plugin, const nzl_middleware_desc& mw)
    : plugin_(plugin), mw_(mw), plugin_name_(plugin.name), name_(mw.name), order_(mw.order) {}

result<nlohmann::json> c_middleware::before_task(std::string_view type, nlohmann::json payload,
                                                 handler_context& ctx) {
  if (!mw_.before_task)
    return payload;
  auto in = dump(payload);
  owned_output out{plugin_.free_output};
  int rc = NZL_PLUGIN_ERROR;
  if (auto e = guarded_call(plugin_name_, "middleware '" + name_ + "'", rc, [&] {
        return mw_.before_task(mw_.user_data, &the_host_api, handle_of(ctx), type.data(),
                               type.size(), in.data(), in.size(), out.get());
      }))
    return std::move(*e);
  if (rc != NZL_PLUGIN_OK)
    return error_from_plugin(plugin_name_, out.text());
  if (out.empty())
    return payload; // unchanged
  return parse_output(plugin_name_, "middleware '" + name_ + "'", out);
}

result<nlohmann::json> c_middleware::after_task(std::string_view type,
                                                result<nlohmann::json> outcome,
                                                handler_context& ctx) {
  if (!mw_.after_task)
    return outcome;
  bool failed = !outcome;
  auto in = failed ? dump(error_object(outcome.err())) : dump(*outcome);
  owned_output out{plugin_.free_output};
  int rc = NZL_PLUGIN_ERROR;
  if (auto e = guarded_call(plugin_name_, "middleware '" + name_ + "'", rc, [&] {
        return mw_.after_task(mw_.user_data, &the_host_api, handle_of(ctx), type.data(),
                              type.size(), failed ? 1 : 0, in.data(), in.size(), out.get());
      }))
    return std::move(*e);
  if (rc != NZL_PLUGIN_OK)
    return error_from_plugin(plugin_name_, out.text());
  if (out.empty())
    return outcome; // unchanged
  return parse_output(plugin_name_, "middleware '" + name_ + "'", out);
}

} // namespace nzl::plugins
