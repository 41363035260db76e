// cloudagent status | failover | failback: the cluster's state and the
// operator's drain switch (issue 5), over GET /v3/cluster and
// POST /v3/admin/cluster/failover|failback. Each is a group of one command
// (command_group::bare), so it is spelled without a sub-command.
#include "apps/cloudagent/commands/command.hpp"

#include <array>
#include <cstdio>

namespace nzl::cli {

namespace {

constexpr std::array status_options{
    option_spec{"all-regions", "", "one line per node of every region (default: this node only)"},
};
constexpr std::array failover_options{
    option_spec{"from", "R", "the region to drain (required)"},
    option_spec{"to", "R", "the region that takes its traffic (default: its fallbacks)"},
};
constexpr std::array failback_options{
    option_spec{"region", "R", "the drained region to serve again (required)"},
};

// A region name as the manifest allows it; checked before anything is sent.
outcome<std::string> region_option(const parsed_args& args, std::string_view name, bool required) {
  const auto* v = args.value(name);
  if (v == nullptr) {
    if (required)
      return usage_error("--" + std::string{name} + " is required");
    return std::string{};
  }
  if (v->empty() || v->size() > 63 ||
      v->find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
          std::string::npos)
    return usage_error("--" + std::string{name} +
                       " must be a region name (1-63 of letters, digits, '-', '_', '.')");
  return *v;
}

std::string millis(const nlohmann::json& object, std::string_view name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_number())
    return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f ms", it->get<double>());
  return buf;
}

std::string heartbeat(const nlohmann::json& node) {
  if (node.value("self", false))
    return "self";
  auto it = node.find("last_heartbeat_ms_ago");
  if (it == node.end() || !it->is_number())
    return "never";
  return std::to_string(it->get<std::int64_t>()) + " ms ago";
}

std::string yes_no(const nlohmann::json& object, std::string_view name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_boolean())
    return "-";
  return it->get<bool>() ? "yes" : "no";
}

const nlohmann::json& member(const nlohmann::json& object, std::string_view name) {
  static const nlohmann::json empty = nlohmann::json::object();
  if (!object.is_object())
    return empty;
  auto it = object.find(name);
  return it == object.end() ? empty : *it;
}

outcome<done> status(context& ctx, const parsed_args& args) {
  const bool all = args.has("all-regions");
  auto answer = call_node(ctx, "GET", "/v3/cluster");
  if (!answer)
    return std::move(answer).err();
  if (ctx.options.json)
    return done{};
  const auto& doc = answer->body;
  table t{
      {"REGION", "NODE", "STATE", "LAST HEARTBEAT", "RTT", "IN FLIGHT", "QUEUE DEPTH", "DRAINED"}};
  for (const auto& region : array_of(doc, "regions")) {
    const auto& nodes = array_of(region, "nodes");
    if (nodes.empty() && all)
      t.add_row({text_of(region, "name"), "-", text_of(region, "state")});
    for (const auto& n : nodes) {
      if (!all && !n.value("self", false))
        continue;
      const auto& load = member(n, "load");
      std::string drained = yes_no(n, "drained");
      if (auto to = text_of(n, "redirect", ""); drained == "yes" && !to.empty())
        drained += " -> " + to;
      t.add_row({text_of(region, "name"), text_of(n, "node"), text_of(n, "state"), heartbeat(n),
                 n.value("self", false) ? std::string{"-"} : millis(n, "rtt_ms"),
                 number_of(load, "in_flight"), number_of(load, "queue_depth"), drained});
    }
  }
  if (all)
    ctx.print.out(sanitize("cluster " + text_of(doc, "cluster") + ", seen from " +
                           text_of(doc, "node") + " (" + text_of(doc, "region") + ")") +
                  "\n");
  ctx.print.out(t.render());
  return done{};
}

// The node names of a JSON array of strings or of objects with "node".
std::string node_list(const nlohmann::json& items) {
  std::string out;
  for (const auto& i : items) {
    auto name = i.is_string() ? i.get<std::string>() : text_of(i, "node", "");
    if (!name.empty())
      out += (out.empty() ? "" : ", ") + name;
  }
  return out;
}

// What a failover or failback did, as one line; the region's nodes that the
// node could not reach (down, or no answer) as a warning on stderr, since
// they did not change (exit 0: the region's traffic moved all the same).
void print_drain(context& ctx, const nlohmann::json& body) {
  const auto region = text_of(body, "region", "?");
  const auto& done = array_of(body, "nodes");
  auto nodes = node_list(done);
  if (nodes.empty())
    nodes = text_of(body, "node", "?");
  const auto who = (done.size() > 1 ? " (nodes " : " (node ") + nodes + ")";
  if (body.value("drained", false)) {
    auto to = text_of(body, "redirect", "");
    ctx.print.out(sanitize("Region " + region + who + " is drained; its traffic goes to " +
                           (to.empty() ? std::string{"its fallbacks"} : to)) +
                  "\n");
  } else {
    ctx.print.out(sanitize("Region " + region + who + " serves again") + "\n");
  }
  if (auto missed = node_list(array_of(body, "unreachable")); !missed.empty())
    ctx.print.err_line(sanitize("warning: not reached, so unchanged: " + missed +
                                " (run the command again once they are up)"));
}

outcome<done> failover(context& ctx, const parsed_args& args) {
  auto from = region_option(args, "from", true);
  if (!from)
    return std::move(from).err();
  auto to = region_option(args, "to", false);
  if (!to)
    return std::move(to).err();
  if (*to == *from)
    return usage_error("--to must name another region than --from");
  nlohmann::json body{{"from", *from}};
  if (!to->empty())
    body["to"] = *to;
  auto answer = call_node(ctx, "POST", "/v3/admin/cluster/failover", &body);
  if (!answer)
    return std::move(answer).err();
  if (!ctx.options.json)
    print_drain(ctx, answer->body);
  return done{};
}

outcome<done> failback(context& ctx, const parsed_args& args) {
  auto region = region_option(args, "region", true);
  if (!region)
    return std::move(region).err();
  nlohmann::json body{{"region", *region}};
  auto answer = call_node(ctx, "POST", "/v3/admin/cluster/failback", &body);
  if (!answer)
    return std::move(answer).err();
  if (!ctx.options.json)
    print_drain(ctx, answer->body);
  return done{};
}

constexpr subcommand status_command{
    "status",       "", "this node's line of the cluster state, or every node's with --all-regions",
    status_options, 0,  0,
    status};
constexpr subcommand failover_command{
    "failover",       "", "drain a region: its traffic goes to another region (admin)",
    failover_options, 0,  0,
    failover};
constexpr subcommand failback_command{
    "failback", "", "serve a drained region again (admin)", failback_options, 0, 0, failback};

} // namespace

command_group status_group() {
  return {"status",
          "the cluster: regions, nodes, heartbeats, load, drains (tasks:read)",
          {},
          &status_command};
}

command_group failover_group() {
  return {"failover", "drain a region to another one (admin)", {}, &failover_command};
}

command_group failback_group() {
  return {"failback", "undo a failover (admin)", {}, &failback_command};
}

} // namespace nzl::cli
