// cloudagent: the operator CLI. Design:
// - `cloudagent [global options] <group> <command> [options] [args]`. A group
//   (keys, audit, plugins, ...) is one file under commands/ holding a table
//   of `subcommand`s; commands/table.cpp lists the groups. This file only
//   parses, dispatches, prints help and turns a `failure` into "error: ..."
//   and an exit code.
// - Global options are accepted before and after the command's name; the
//   command line wins over the environment (NZL_NODE, NZL_API_KEY,
//   NZL_SIGNING_SECRET).
// - Nothing the operator passes as a secret is printed: the printer redacts
//   the admin key and the signing secret from every line.
// - Every node call has a deadline (--timeout-ms), so no command hangs;
//   `audit tail --follow` runs until SIGINT/SIGTERM.
#include "apps/cloudagent/cli.hpp"

#include "apps/cloudagent/commands/command.hpp"

#include <array>

#ifndef NZL_VERSION
#define NZL_VERSION "dev"
#endif

namespace nzl::cli {

namespace {

constexpr std::array top_only_specs{option_spec{"version", "", "print the version and exit"}};

std::string top_usage() {
  std::string s = "usage: cloudagent [global options] <group> <command> [options]\n\n"
                  "Operate a NoizyLab Cloud Agent node over its HTTP API.\n\ngroups:\n";
  std::size_t width = 0;
  for (auto& g : command_groups())
    width = std::max(width, g.name.size());
  for (auto& g : command_groups())
    s += "  " + std::string{g.name} + std::string(width - g.name.size() + 3, ' ') +
         std::string{g.summary} + "\n";
  s += "\nglobal options (before or after the command):\n";
  s += format_options(global_option_specs());
  s += format_options(top_only_specs);
  s += "  -h, --help   help for cloudagent, a group or a command\n"
       "\nenvironment: NZL_NODE, NZL_API_KEY, NZL_SIGNING_SECRET (preferred over --key and\n"
       "--signing-secret, which other users can read in ps).\n"
       "exit codes: 0 ok, 1 the node answered an error, 2 usage error, 3 the node could\n"
       "not be reached.\n"
       "Run 'cloudagent <group> --help' for a group's commands.\n";
  return s;
}

std::string command_usage(const command_group& g, const subcommand& c);

std::string group_usage(const command_group& g) {
  if (g.bare != nullptr && g.commands.empty())
    return command_usage(g, *g.bare);
  std::string s;
  if (g.bare != nullptr)
    s = command_usage(g, *g.bare) + "\nor: cloudagent " + std::string{g.name} +
        " <command> [options]\n\ncommands:\n";
  else
    s = "usage: cloudagent " + std::string{g.name} + " <command> [options]\n\n" +
        std::string{g.summary} + "\n\ncommands:\n";
  std::size_t width = 0;
  for (auto& c : g.commands)
    width = std::max(width, c.name.size());
  for (auto& c : g.commands)
    s += "  " + std::string{c.name} + std::string(width - c.name.size() + 3, ' ') +
         std::string{c.summary} + "\n";
  s += "\nRun 'cloudagent " + std::string{g.name} + " <command> --help' for its options.\n";
  return s;
}

std::string command_usage(const command_group& g, const subcommand& c) {
  std::string s = "usage: cloudagent " + std::string{g.name};
  if (&c != g.bare)
    s += " " + std::string{c.name};
  if (!c.positionals.empty())
    s += " " + std::string{c.positionals};
  s += " [options]\n\n" + std::string{c.summary} + "\n";
  if (!c.options.empty())
    s += "\noptions:\n" + format_options(c.options);
  s += "\nglobal options:\n" + format_options(global_option_specs());
  return s;
}

int fail_with(printer& print, const failure& f, std::string_view hint = {}) {
  print.err_line("error: " + f.message);
  if (!hint.empty())
    print.err_line(hint);
  return static_cast<int>(f.code);
}

int run_command(const command_group& g, const subcommand& c, std::span<const std::string> args,
                global_options options, printer& print,
                std::function<std::chrono::system_clock::time_point()> now) {
  std::string hint = "(see 'cloudagent " + std::string{g.name} +
                     (&c == g.bare ? std::string{} : " " + std::string{c.name}) + " --help')";
  std::array<std::span<const option_spec>, 2> specs{c.options, global_option_specs()};
  auto parsed = parse_args(args, specs, c.max_positionals);
  if (!parsed)
    return fail_with(print, parsed.err(), hint);
  if (parsed->help) {
    print.out(command_usage(g, c));
    return 0;
  }
  if (parsed->positionals.size() < c.min_positionals)
    return fail_with(print, usage_error("missing " + std::string{c.positionals}), hint);
  if (auto applied = apply_global(*parsed, options); !applied)
    return fail_with(print, applied.err(), hint);
  print.add_secret(options.api_key);
  print.add_secret(options.signing_secret);
  if (options.key_on_cli)
    print.err_line("warning: a key given with --key is visible to other users in ps; "
                   "prefer NZL_API_KEY");
  context ctx{std::move(options), print, std::move(now)};
  auto r = c.run(ctx, *parsed);
  print.flush();
  if (!r)
    return fail_with(print, r.err());
  return 0;
}

} // namespace

context::context(global_options opts, printer& p,
                 std::function<std::chrono::system_clock::time_point()> clock)
    : options(std::move(opts)), print(p), now(std::move(clock)) {
  if (!now)
    now = [] {
      return std::chrono::system_clock::now();
    };
}

outcome<node_client*> context::node() {
  if (!node_) {
    auto made = node_client::make(options);
    if (!made)
      return std::move(made).err();
    node_ = std::move(*made);
  }
  return node_.get();
}

outcome<node_answer> call_node(context& ctx, std::string_view method, std::string_view target,
                               const nlohmann::json* body) {
  auto node = ctx.node();
  if (!node)
    return std::move(node).err();
  auto answer = (*node)->call(method, target, body);
  if (answer && ctx.options.json) {
    ctx.print.out(answer->raw);
    if (answer->raw.empty() || answer->raw.back() != '\n')
      ctx.print.out("\n");
  }
  return answer;
}

int run(std::span<const std::string> args, const environment& env, std::ostream& out,
        std::ostream& err, std::function<std::chrono::system_clock::time_point()> now) {
  printer print{out, err};
  print.add_secret(env.api_key.value_or(""));
  print.add_secret(env.signing_secret.value_or(""));
  std::array<std::span<const option_spec>, 2> specs{global_option_specs(), top_only_specs};
  auto top = parse_args(args, specs, 0, true);
  if (!top)
    return fail_with(print, top.err(), "(see 'cloudagent --help')");
  global_options options = defaults_from(env);
  if (auto applied = apply_global(*top, options); !applied)
    return fail_with(print, applied.err(), "(see 'cloudagent --help')");
  if (top->help || (!top->rest.empty() && top->rest.front() == "help")) {
    print.out(top_usage());
    return 0;
  }
  if (top->has("version")) {
    print.out("cloudagent " NZL_VERSION "\n");
    return 0;
  }
  if (top->rest.empty()) {
    err << top_usage();
    return static_cast<int>(exit_code::usage);
  }
  const command_group* group = nullptr;
  for (auto& g : command_groups())
    if (g.name == top->rest.front())
      group = &g;
  if (group == nullptr)
    return fail_with(print, usage_error("unknown command group '" + top->rest.front() + "'"),
                     "(see 'cloudagent --help')");
  std::vector<std::string> words{top->rest};
  // `cloudagent shell -c CMD`: the one short option of the CLI.
  if (group->name == "shell")
    for (auto& w : words)
      if (w == "-c")
        w = "--command";
  std::span<const std::string> rest{words};
  rest = rest.subspan(1);
  if (rest.empty() && group->bare != nullptr)
    return run_command(*group, *group->bare, rest, std::move(options), print, std::move(now));
  if (rest.empty() || rest.front() == "-h" || rest.front() == "--help") {
    if (rest.empty()) {
      err << group_usage(*group);
      return static_cast<int>(exit_code::usage);
    }
    print.out(group_usage(*group));
    return 0;
  }
  for (auto& c : group->commands)
    if (c.name == rest.front())
      return run_command(*group, c, rest.subspan(1), std::move(options), print, std::move(now));
  // Not a command name: the group's own command takes the words as options
  // (`cloudagent monitor --alerts`) and refuses what it does not know.
  if (group->bare != nullptr)
    return run_command(*group, *group->bare, rest, std::move(options), print, std::move(now));
  return fail_with(
      print, usage_error("unknown command '" + std::string{group->name} + " " + rest.front() + "'"),
      "(see 'cloudagent " + std::string{group->name} + " --help')");
}

} // namespace nzl::cli
