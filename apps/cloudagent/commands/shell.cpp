// cloudagent shell: the operator shell (issue 10, docs/shell.md). Connects
// to a node's operator endpoint (regions[].operator) over CAF, then runs
// one command (-c) or the interactive REPL.
#include "apps/cloudagent/commands/command.hpp"
#include "apps/cloudagent/shell/operator_link.hpp"
#include "apps/cloudagent/shell/repl.hpp"

#include <array>
#include <unistd.h>

namespace nzl::cli {

namespace {

constexpr std::array shell_options{
    option_spec{"command", "CMD", "run one command and exit (also -c CMD)"},
    option_spec{"cert", "FILE", "with cluster TLS: the operator's certificate (PEM)"},
    option_spec{"cert-key", "FILE", "with cluster TLS: its private key (PEM)"},
};

outcome<done> shell(context& ctx, const parsed_args& args) {
  auto endpoint = shell::parse_endpoint(ctx.options.node);
  if (!endpoint)
    return std::move(endpoint).err();
  auto o = std::move(*endpoint);
  o.timeout = std::chrono::milliseconds(ctx.options.timeout_ms);
  o.identity = "local:" + std::to_string(::getuid());
  const auto* cert = args.value("cert");
  const auto* key = args.value("cert-key");
  if ((cert != nullptr) != (key != nullptr) || ((cert != nullptr) && ctx.options.cacert.empty()))
    return usage_error("TLS needs --cert, --cert-key and --cacert (the cluster CA) together");
  if (cert != nullptr) {
    o.cert_file = *cert;
    o.key_file = *key;
    o.ca_file = ctx.options.cacert;
  }
  const auto* command = args.value("command");
  // Checked before connecting: a typo fails without a node.
  std::vector<std::string> words;
  if (command != nullptr) {
    auto split = shell::split_words(*command);
    if (!split)
      return std::move(split).err();
    if (split->empty())
      return usage_error("-c needs a command (try -c help)");
    if (split->front() == "help") {
      ctx.print.out(shell::help_text(*split));
      return done{};
    }
    words = std::move(*split);
  }
  auto link = shell::operator_link::connect(o);
  if (!link)
    return std::move(link).err();
  if (command != nullptr)
    return shell::run_line(**link, *command, ctx.options.json, ctx.print);
  int code = shell::run_repl(**link, o.host + ":" + std::to_string(o.port) + "> ", ctx.options.json,
                             ctx.print);
  if (code != 0)
    return failure{static_cast<exit_code>(code), "the session ended: the node is gone"};
  return done{};
}

constexpr subcommand shell_command{"shell",
                                   "",
                                   "the operator shell of a node (--node HOST:PORT of its "
                                   "operator endpoint)",
                                   shell_options,
                                   0,
                                   0,
                                   shell};

} // namespace

command_group shell_group() {
  return {"shell", "the interactive operator shell (CAF, regions[].operator)", {}, &shell_command};
}

} // namespace nzl::cli
