// The operator shell's commands (issue 10): one table, one dispatch. Every
// command is bounded (words and their size), answers exactly once, and is
// audited with the operator's identity, method "SHELL" and the command line
// as path. Hooks the node did not give answer `unavailable`, so a node
// without a cluster or without WebSocket sessions still runs the rest.
#include "actors/operator/operator_commands.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <mutex>

namespace nzl::actors::operator_shell {

namespace {

using nlohmann::json;

constexpr std::array commands{
    command_info{"status", "", "the node: region, readiness, version, cluster state", 0, 0},
    command_info{"actors", "", "the node's actors: mailbox sizes where known, message waits", 0, 0},
    command_info{"queues", "", "every durable queue with its depth", 0, 0},
    command_info{"queue", "NAME", "depth, age and throughput of one queue", 1, 1},
    command_info{"task", "ID", "the stored record of a durable task", 1, 1},
    command_info{"cancel", "ID", "cancel a queued task or stop a running one", 1, 1},
    command_info{"retry", "ID", "requeue a dead task", 1, 1},
    command_info{"sessions", "", "the WebSocket sessions", 0, 0},
    command_info{"kick", "SESSION", "close a WebSocket session", 1, 1},
    command_info{"drain", "[TO]", "drain this node's region (failover to TO or its fallbacks)", 0,
                 1},
    command_info{"undrain", "", "serve this node's region again (failback)", 0, 0},
    command_info{"failover", "FROM [TO]", "drain region FROM to TO (or its fallbacks)", 1, 2},
    command_info{"failback", "REGION", "serve a drained region again", 1, 1},
    command_info{"config show", "", "the manifest, secrets redacted", 0, 0},
    command_info{"config reload", "", "validate the manifest again, apply what can change live", 0,
                 0},
    command_info{"log-level", "LEVEL", "set the log level: debug, info, warn, error, off", 1, 1},
    command_info{"keys list", "", "the API keys (never the keys themselves)", 0, 0},
    command_info{"keys create", "NAME [SCOPE...]",
                 "a new API key (scopes tasks:write, tasks:read, admin)", 1, 4},
    command_info{"keys revoke", "ID", "revoke an API key at once", 1, 1},
};

command_reply usage(std::string message) {
  return {2, json::object(), std::move(message)};
}

// An id or a name that goes to the node: printable, no spaces.
bool plain_word(std::string_view w) {
  if (w.empty() || w.size() > 128)
    return false;
  for (char c : w)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return false;
  return true;
}

// The command line for the audit, at most max_command_words *
// max_word_bytes bytes (however many words came).
std::string join(const std::vector<std::string>& words) {
  constexpr std::size_t max = max_command_words * max_word_bytes;
  std::string line;
  for (const auto& w : words) {
    if (!line.empty())
      line += ' ';
    line.append(w, 0, max - std::min(max, line.size()));
    if (line.size() >= max)
      break;
  }
  if (line.size() > max)
    line.resize(max);
  return line;
}

} // namespace

std::span<const command_info> command_table() noexcept {
  return commands;
}

const command_info* find_command(std::span<const std::string> words,
                                 std::size_t& consumed) noexcept {
  if (words.empty())
    return nullptr;
  if (words.size() >= 2) {
    const std::string two = words[0] + " " + words[1];
    for (const auto& c : commands)
      if (c.name == two) {
        consumed = 2;
        return &c;
      }
  }
  for (const auto& c : commands)
    if (c.name == words[0]) {
      consumed = 1;
      return &c;
    }
  return nullptr;
}

std::string unknown_command_message(std::span<const std::string> words) {
  if (words.empty())
    return "empty command";
  std::string group;
  const std::string prefix = words[0] + " ";
  for (const auto& c : commands) {
    if (!c.name.starts_with(prefix))
      continue;
    group += group.empty() ? "" : ", ";
    group += c.name;
    if (!c.usage.empty())
      group += " " + std::string{c.usage};
  }
  if (!group.empty())
    return "'" + words[0] + "' needs one of: " + group;
  return "unknown command '" + words[0] + "' (try 'help')";
}

operator_commands::operator_commands(operator_hooks hooks) : hooks_(std::move(hooks)) {}

void operator_commands::refuse(const std::string& identity, const std::vector<std::string>& words,
                               int status, std::string error,
                               const std::function<void(command_reply)>& done) const {
  if (hooks_.audit)
    hooks_.audit(identity, join(words), status);
  done({status, json::object(), std::move(error)});
}

void operator_commands::run(const std::string& identity, std::vector<std::string> words,
                            std::function<void(command_reply)> done) const {
  // Audited once, when the answer is known.
  auto line = std::make_shared<std::string>(join(words));
  auto finish = [audit = hooks_.audit, identity, line,
                 done = std::move(done)](command_reply r) mutable {
    if (audit)
      audit(identity, *line, r.status);
    done(std::move(r));
  };
  if (words.empty())
    return finish(usage("empty command"));
  if (words.size() > max_command_words)
    return finish(usage("at most " + std::to_string(max_command_words) + " words"));
  for (const auto& w : words)
    if (w.size() > max_word_bytes)
      return finish(usage("a word is longer than " + std::to_string(max_word_bytes) + " bytes"));
  std::size_t consumed = 0;
  const auto* cmd = find_command(words, consumed);
  if (cmd == nullptr)
    return finish(usage(unknown_command_message(words)));
  std::vector<std::string> args(words.begin() + static_cast<std::ptrdiff_t>(consumed), words.end());
  if (args.size() < cmd->min_args || args.size() > cmd->max_args)
    return finish(usage("usage: " + std::string{cmd->name} +
                        (cmd->usage.empty() ? "" : " " + std::string{cmd->usage})));
  for (const auto& a : args)
    if (!plain_word(a))
      return finish(usage("'" + a + "' is not a valid argument"));

  // Answers of the asynchronous hooks.
  auto async = [finish](result<json> r) mutable {
    if (!r)
      return finish({1, json::object(), r.err().detail});
    finish({0, std::move(*r), {}});
  };
  auto missing = [&finish](std::string_view what) {
    finish({1, json::object(), "this node has no " + std::string{what}});
  };
  auto sync = [&finish](result<json> r) {
    if (!r)
      return finish({1, json::object(), r.err().detail});
    finish({0, std::move(*r), {}});
  };
  const std::string_view name = cmd->name;
  const auto& h = hooks_;

  if (name == "status")
    return h.status ? finish({0, h.status(), {}}) : missing("status");
  if (name == "actors")
    return h.actors ? h.actors(async) : missing("actor list");
  if (name == "queues") {
    if (!h.queue_names || !h.queue_stats)
      return missing("durable queues");
    // One stats call per queue, answered together in name order.
    struct gather {
      std::mutex mutex; // guards rows and left
      json rows = json::array();
      std::size_t left = 0;
      std::function<void(result<json>)> done;
    };
    auto names = h.queue_names();
    if (names.empty())
      return finish({0, json{{"queues", json::array()}}, {}});
    auto g = std::make_shared<gather>();
    g->left = names.size();
    g->done = async;
    for (std::size_t i = 0; i < names.size(); ++i)
      g->rows.push_back(json{{"name", names[i]}});
    for (std::size_t i = 0; i < names.size(); ++i)
      h.queue_stats(names[i], [g, i](result<json> r) {
        std::unique_lock lock{g->mutex};
        if (r && r->is_object())
          g->rows[i].update(*r);
        else if (!r)
          g->rows[i]["error"] = r.err().detail;
        if (--g->left == 0) {
          json rows = std::move(g->rows);
          lock.unlock();
          g->done(json{{"queues", std::move(rows)}});
        }
      });
    return;
  }
  if (name == "queue")
    return h.queue_stats ? h.queue_stats(args[0], async) : missing("durable queues");
  if (name == "task")
    return h.get_task ? h.get_task(args[0], async) : missing("durable tasks");
  if (name == "cancel")
    return h.cancel_task ? h.cancel_task(args[0], async) : missing("durable tasks");
  if (name == "retry")
    return h.retry_task ? h.retry_task(args[0], async) : missing("durable tasks");
  if (name == "sessions")
    return h.sessions ? finish({0, h.sessions(), {}}) : missing("WebSocket sessions");
  if (name == "kick")
    return h.kick ? sync(h.kick(args[0])) : missing("WebSocket sessions");
  if (name == "drain")
    return h.failover ? h.failover(h.region, args.empty() ? std::string{} : args[0], async)
                      : missing("cluster (drain needs one)");
  if (name == "undrain")
    return h.failback ? h.failback(h.region, async) : missing("cluster (undrain needs one)");
  if (name == "failover")
    return h.failover ? h.failover(args[0], args.size() > 1 ? args[1] : std::string{}, async)
                      : missing("cluster");
  if (name == "failback")
    return h.failback ? h.failback(args[0], async) : missing("cluster");
  if (name == "config show")
    return h.config_show ? finish({0, h.config_show(), {}}) : missing("manifest");
  if (name == "config reload")
    return h.config_reload ? sync(h.config_reload()) : missing("manifest");
  if (name == "log-level")
    return h.set_log_level ? sync(h.set_log_level(args[0])) : missing("log level");
  if (name == "keys list")
    return h.keys_list ? h.keys_list(async) : missing("key store");
  if (name == "keys create") {
    if (!h.keys_create)
      return missing("key store");
    json spec{{"name", args[0]}};
    if (args.size() > 1)
      spec["scopes"] = json(std::vector<std::string>(args.begin() + 1, args.end()));
    return h.keys_create(std::move(spec), async);
  }
  if (name == "keys revoke")
    return h.keys_revoke ? h.keys_revoke(args[0], async) : missing("key store");
  finish(usage("unknown command '" + std::string{name} + "'"));
}

} // namespace nzl::actors::operator_shell
