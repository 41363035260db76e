#include "plugins/smart_routing/routing_handlers.hpp"

#include <utility>

namespace nzl::plugins::smart_routing {

using nlohmann::json;

routing_decision route(const classifier& c, const routing_dependencies& deps, const json& payload) {
  auto choice = c.choose(payload);
  routing_stats stats;
  stats.available = deps.find_handler && deps.find_handler(choice.handler) != nullptr;
  if (stats.available && deps.recent_p95_ms)
    stats.p95_ms = deps.recent_p95_ms(choice.handler);
  return c.decide(std::move(choice), stats);
}

smart_routing_handler::smart_routing_handler(routing_dependencies deps)
    : deps_(std::move(deps)), classifier_(deps_.options) {}

result<json> smart_routing_handler::run(json payload, handler_context& ctx) {
  return to_json(route(classifier_, deps_, payload), ctx.region());
}

auto_handler::auto_handler(routing_dependencies deps)
    : deps_(std::move(deps)), classifier_(deps_.options) {}

bool auto_handler::runs_inline(const json& payload) const noexcept {
  auto choice = classifier_.choose(payload);
  auto* handler = deps_.find_handler ? deps_.find_handler(choice.handler) : nullptr;
  if (handler == nullptr && deps_.find_handler)
    handler = deps_.find_handler("echo");
  return handler != nullptr && handler->runs_inline(payload);
}

result<json> auto_handler::run(json payload, handler_context& ctx) {
  auto decision = route(classifier_, deps_, payload);
  task_handler* handler = deps_.find_handler ? deps_.find_handler(decision.handler) : nullptr;
  // The classifier only picks from fixed types, never "auto" itself; the
  // check guards against a registry that maps a type to this handler.
  if (handler == nullptr || handler == this)
    return fail(errc::unknown_task_type, "auto: no handler '" + decision.handler + "' on this node",
                {{"handler", decision.handler}});
  auto out = handler->run(std::move(payload), ctx);
  if (!out) {
    auto err = std::move(out).err();
    if (err.extensions.is_object())
      err.extensions["handler"] = decision.handler;
    return err;
  }
  return json{{"handler", decision.handler},
              {"complexity", decision.complexity},
              {"reasons", std::move(decision.reasons)},
              {"result", std::move(*out)}};
}

} // namespace nzl::plugins::smart_routing
