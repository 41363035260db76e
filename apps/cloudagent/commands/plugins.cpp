// cloudagent plugins list|reload: GET /v3/plugins and
// POST /v3/admin/plugins/reload.
#include "apps/cloudagent/commands/command.hpp"

#include <array>

namespace nzl::cli {

namespace {

outcome<done> list(context& ctx, const parsed_args&) {
  auto answer = call_node(ctx, "GET", "/v3/plugins");
  if (!answer)
    return std::move(answer).err();
  if (ctx.options.json)
    return done{};
  // One table of handlers (a plugin without handlers still gets a row), then
  // one of middleware if any plugin has some.
  table handlers{
      {"PLUGIN", "VERSION", "SOURCE", "HANDLER", "CALLS", "ERRORS", "MEAN_MS", "P95_MS"}};
  table middleware{{"PLUGIN", "MIDDLEWARE", "ORDER"}};
  for (auto& p : array_of(answer->body, "plugins")) {
    auto name = text_of(p, "name");
    auto version = text_of(p, "version");
    auto source = text_of(p, "source");
    auto& hs = array_of(p, "handlers");
    if (hs.empty())
      handlers.add_row({name, version, source});
    for (auto& h : hs)
      handlers.add_row({name, version, source, text_of(h, "type"), number_of(h, "calls"),
                        number_of(h, "errors"), number_of(h, "mean_ms"), number_of(h, "p95_ms")});
    for (auto& m : array_of(p, "middleware"))
      middleware.add_row({name, text_of(m, "name"), number_of(m, "order")});
  }
  ctx.print.out(handlers.render());
  if (middleware.rows() > 0)
    ctx.print.out("\n" + middleware.render());
  return done{};
}

outcome<done> reload(context& ctx, const parsed_args&) {
  auto body = nlohmann::json::object();
  auto answer = call_node(ctx, "POST", "/v3/admin/plugins/reload", &body);
  if (!answer)
    return std::move(answer).err();
  if (ctx.options.json)
    return done{};
  auto loaded = joined(answer->body, "loaded", ", ");
  ctx.print.out(sanitize("Loaded: " + (loaded == "-" ? std::string{"none"} : loaded)) + "\n");
  auto& refused = array_of(answer->body, "refused");
  if (!refused.empty()) {
    table t{{"REFUSED", "REASON"}};
    for (auto& r : refused)
      t.add_row({text_of(r, "path"), text_of(r, "reason")});
    ctx.print.out(t.render());
  }
  return done{};
}

constexpr std::array commands{
    subcommand{"list",
               "",
               "list plugins: version, handlers (calls, errors, latency) and middleware",
               {},
               0,
               0,
               list},
    subcommand{"reload", "", "reload plugins from the plugin directory (admin)", {}, 0, 0, reload},
};

} // namespace

command_group plugins_group() {
  return {"plugins", "list and reload plugins", commands};
}

} // namespace nzl::cli
