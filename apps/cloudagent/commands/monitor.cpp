// cloudagent monitor: follows the node's analytics by polling (the CLI has
// no WebSocket client). `monitor --alerts` (or `monitor alerts`) prints every alert event once
// (GET /v3/analytics/alerts?since=<last seq>); `monitor --live` prints one line
// of throughput, percentiles and errors per interval. Both run until SIGINT
// or SIGTERM; memory stays bounded (only the cursor is kept).
#include "apps/cloudagent/commands/analytics_format.hpp"
#include "apps/cloudagent/commands/command.hpp"
#include "apps/cloudagent/values.hpp"

#include <array>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <pthread.h>

namespace nzl::cli {

namespace {

std::string value_or(const parsed_args& args, std::string_view name, std::string fallback) {
  const auto* v = args.value(name);
  return v ? *v : fallback;
}

constexpr std::array alert_options{
    option_spec{"once", "", "print the firing alerts and recent events, then exit"},
};
constexpr std::array live_options{
    option_spec{"window", "W", "the window of each line, up to 24h: 30s, 1m, 1h ... (default 1m)"},
    option_spec{"interval", "S", "seconds between lines, 1-3600 (default 2)"},
    option_spec{"once", "", "print one line and exit"},
};

// Blocks SIGINT/SIGTERM before the node client starts its thread, so that
// sigtimedwait is both the wait between polls and the way out.
sigset_t block_stop_signals() {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  return stop;
}

bool wait_or_stop(const sigset_t& stop, long seconds) {
  timespec wait{seconds, 0};
  int sig = sigtimedwait(&stop, nullptr, &wait);
  return sig == SIGINT || sig == SIGTERM;
}

std::string event_line(const nlohmann::json& e) {
  std::string line = text_of(e, "at") + "  " + text_of(e, "state") + "  " + text_of(e, "rule") +
                     " (" + text_of(e, "kind") + ") value " + number_of(e, "value") +
                     " threshold " + number_of(e, "threshold");
  if (auto region = text_of(e, "region", ""); !region.empty())
    line += " region " + region;
  if (auto type = text_of(e, "type", ""); !type.empty())
    line += " type " + type;
  return sanitize(line) + "\n";
}

outcome<done> alerts(context& ctx, const parsed_args& args) {
  const bool once = args.has("once");
  sigset_t stop{};
  if (!once)
    stop = block_stop_signals();
  auto node = ctx.node();
  if (!node)
    return std::move(node).err();
  std::uint64_t since = 0;
  bool first = true;
  bool reachable = true;
  for (;;) {
    std::string target = "/v3/analytics/alerts";
    if (!first)
      target += "?since=" + std::to_string(since);
    auto answer = (*node)->call("GET", target);
    if (answer) {
      if (!reachable)
        ctx.print.err_line("note: the node answers again");
      reachable = true;
      const auto& body = answer->body;
      if (ctx.options.json) {
        for (const auto& e : array_of(body, "events"))
          ctx.print.out(dump(e) + "\n");
      } else {
        if (first)
          for (const auto& e : array_of(body, "firing"))
            ctx.print.out("firing now: " + event_line(e));
        for (const auto& e : array_of(body, "events"))
          ctx.print.out(event_line(e));
      }
      ctx.print.flush();
      if (auto it = body.find("last_seq"); it != body.end() && it->is_number_unsigned())
        since = it->get<std::uint64_t>();
      first = false;
      if (once)
        return done{};
    } else if (answer.err().code == exit_code::unreachable && !once) {
      if (reachable)
        ctx.print.err_line("warning: " + answer.err().message + " (retrying every second)");
      reachable = false;
    } else {
      return std::move(answer).err();
    }
    if (wait_or_stop(stop, 1))
      return done{};
  }
}

outcome<done> live(context& ctx, const parsed_args& args) {
  std::string window = value_or(args, "window", "1m");
  if (!valid_analytics_window(window))
    return usage_error("--window must be like 30s, 1m or 1h (at most 24h), not '" + window + "'");
  std::uint64_t interval = 2;
  if (auto text = args.value("interval")) {
    auto n = parse_uint(*text, "--interval", 1, 3600);
    if (!n)
      return std::move(n).err();
    interval = *n;
  }
  const bool once = args.has("once");
  sigset_t stop{};
  if (!once)
    stop = block_stop_signals();
  auto node = ctx.node();
  if (!node)
    return std::move(node).err();
  const std::string target = "/v3/analytics?group_by=&kind=task&window=" + window;
  table t{{"TIME", "TASKS", "PER S", "ERRORS", "P50 MS", "P95 MS", "P99 MS"}};
  for (auto [column, width] : std::initializer_list<std::pair<std::size_t, std::size_t>>{
           {0, 24}, {1, 8}, {2, 8}, {3, 7}, {4, 8}, {5, 8}})
    t.min_width(column, width);
  bool header = true;
  for (;;) {
    auto answer = (*node)->call("GET", target);
    if (!answer)
      return std::move(answer).err();
    const auto& groups = array_of(answer->body, "groups");
    nlohmann::json g = groups.empty() ? nlohmann::json::object() : groups.front();
    if (ctx.options.json) {
      ctx.print.out(answer->raw + "\n");
    } else {
      char rate[32] = "-";
      if (auto it = g.find("count"); it != g.end() && it->is_number()) {
        auto secs = window.back() == 'h' ? 3600.0 : window.back() == 'm' ? 60.0 : 1.0;
        secs *= static_cast<double>(std::stoul(window.substr(0, window.size() - 1)));
        std::snprintf(rate, sizeof rate, "%.2f", it->get<double>() / secs);
      }
      t.add_row({text_of(answer->body, "generated_at"), number_of(g, "count"), rate,
                 number_of(g, "errors"), fixed_of(g, "p50_ms", 3), fixed_of(g, "p95_ms", 3),
                 fixed_of(g, "p99_ms", 3)});
      ctx.print.out(t.render(header));
      header = false;
      t.clear_rows();
    }
    ctx.print.flush();
    if (once || wait_or_stop(stop, static_cast<long>(interval)))
      return done{};
  }
}

constexpr std::array monitor_options{
    option_spec{"alerts", "", "print alert events as they fire and resolve (polls every second)"},
    option_spec{"live", "", "one line of throughput, percentiles and errors per interval"},
    option_spec{"window", "W", "with --live: the window of each line, up to 24h (default 1m)"},
    option_spec{"interval", "S", "with --live: seconds between lines, 1-3600 (default 2)"},
    option_spec{"once", "", "print once and exit"},
};

// `cloudagent monitor --alerts` / `--live`: the spelling of issue 11, the
// same as `monitor alerts` / `monitor live`.
outcome<done> monitor(context& ctx, const parsed_args& args) {
  const bool want_alerts = args.has("alerts");
  const bool want_live = args.has("live");
  if (want_alerts == want_live)
    return usage_error("give one of --alerts or --live");
  if (want_alerts && (args.has("window") || args.has("interval")))
    return usage_error("--window and --interval go with --live");
  return want_alerts ? alerts(ctx, args) : live(ctx, args);
}

constexpr subcommand monitor_command{
    "monitor",       "", "follow alerts (--alerts) or throughput and latency (--live)",
    monitor_options, 0,  0,
    monitor};

constexpr std::array commands{
    subcommand{"alerts", "", "print alert events as they fire and resolve (polls every second)",
               alert_options, 0, 0, alerts},
    subcommand{"live", "", "one line of throughput, percentiles and errors per interval",
               live_options, 0, 0, live},
};

} // namespace

command_group monitor_group() {
  return {"monitor", "follow the node's analytics and alerts (tasks:read)", commands,
          &monitor_command};
}

} // namespace nzl::cli
