// The node's side of the operator shell: each hook of operator_hooks over
// the node's services (task service, cluster control, key store, WebSocket
// hub, manifest, log level). Nothing here blocks for long: the manifest is
// read from disk only for `config show` and `config reload`.
#include "apps/operator/node_operator.hpp"

#include "actors/node_runtime.hpp"
#include "cluster/cluster_control.hpp"
#include "config/manifest.hpp"
#include "core/log.hpp"
#include "net/admin_codec.hpp"
#include "net/security_service.hpp"
#include "net/task_service.hpp"
#include "net/ws/hub.hpp"

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <unistd.h>

namespace nzl::apps {

namespace {

using nlohmann::json;
namespace op = actors::operator_shell;

constexpr std::size_t max_manifest_bytes = 4 * 1024 * 1024;
result<json> read_manifest_json(const std::filesystem::path& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return fail(errc::not_found, "cannot read the manifest " + path.string());
  std::string text;
  text.resize(max_manifest_bytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > max_manifest_bytes)
    return fail(errc::invalid_field, "the manifest is larger than 4 MiB");
  auto doc = json::parse(text, nullptr, false);
  if (doc.is_discarded())
    return fail(errc::invalid_field, "the manifest is not JSON");
  return doc;
}

bool secret_name(const std::string& name) {
  auto has = [&](std::string_view part) {
    return name.find(part) != std::string::npos;
  };
  if (name.size() > 5 && name.ends_with("_file"))
    return false;
  return has("secret") || has("password") || has("token") || name == "key" ||
         name.ends_with("_key");
}

void redact(json& j) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (secret_name(it.key()) && !it->is_object() && !it->is_array())
        *it = "[redacted]";
      else
        redact(*it);
    }
  } else if (j.is_array()) {
    for (auto& e : j)
      redact(e);
  }
}

std::string level_name(log::level l) {
  switch (l) {
  case log::level::debug:
    return "debug";
  case log::level::info:
    return "info";
  case log::level::warn:
    return "warn";
  case log::level::error:
    return "error";
  case log::level::off:
    return "off";
  }
  return "?";
}

// Appends the dotted path of every leaf that differs between `before` and
// `after` ("queues.max_backlog", "regions[0].limits.max_body_bytes") to
// `out`, at most `max` of them.
void changed_fields(const json& before, const json& after, const std::string& path, json& out,
                    std::size_t max) {
  if (out.size() >= max || before == after)
    return;
  auto at = [&](const std::string& key) {
    return path.empty() ? key : path + "." + key;
  };
  // A section that is new is listed by its leaves too.
  static const json no_members = json::object();
  if (before.is_null() && after.is_object())
    return changed_fields(no_members, after, path, out, max);
  if (before.is_object() && after.is_object()) {
    for (const auto& [key, value] : after.items())
      changed_fields(before.contains(key) ? before[key] : json{}, value, at(key), out, max);
    for (const auto& [key, value] : before.items())
      if (!after.contains(key) && out.size() < max)
        out.push_back(at(key));
    return;
  }
  if (before.is_array() && after.is_array() && before.size() == after.size()) {
    for (std::size_t i = 0; i < after.size(); ++i)
      changed_fields(before[i], after[i], path + "[" + std::to_string(i) + "]", out, max);
    return;
  }
  out.push_back(path);
}

} // namespace

json redact_manifest(json doc) {
  redact(doc);
  return doc;
}

op::operator_hooks make_node_operator_hooks(node_operator_deps d) {
  op::operator_hooks h;
  h.region = d.region;
  // The manifest as the node started with it: `config reload` says what
  // changed since.
  auto first = read_manifest_json(d.manifest_path);
  auto started = std::make_shared<const json>(first ? std::move(*first) : json::object());
  auto level = std::make_shared<std::atomic<int>>(-1); // -1: as started (not tracked)
  const auto started_at = std::chrono::steady_clock::now();

  h.status = [d, level, started_at] {
    json s{{"region", d.region},
           {"version", d.version},
           {"pid", static_cast<long>(::getpid())},
           {"ready", d.tasks != nullptr && d.tasks->ready()},
           {"http_port", d.http_port},
           {"uptime_s", std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::steady_clock::now() - started_at)
                            .count()},
           {"sessions", d.ws != nullptr ? d.ws->sessions() : 0},
           {"cluster", d.cluster != nullptr}};
    if (int l = level->load(); l >= 0)
      s["log_level"] = level_name(static_cast<log::level>(l));
    if (d.cluster != nullptr) {
      auto c = d.cluster->status();
      s["node"] = c.value("node", "");
      json regions = json::object();
      for (const auto& r : c.value("regions", json::array()))
        if (r.is_object())
          regions[r.value("name", "?")] = r.value("state", "?");
      s["regions"] = std::move(regions);
    }
    return s;
  };
  h.actors = [d](op::json_done done) {
    // CAF 0.17 lets only an actor's own thread read its mailbox size: the
    // operator actor records its own per command, every other actor is sent
    // a probe it answers with its size; `wait_us` is how long that probe
    // waited (both null: no answer within the probe timeout).
    auto row = [](std::string name, std::string kind, json count, json mailbox) {
      return json{{"name", std::move(name)},
                  {"kind", std::move(kind)},
                  {"count", std::move(count)},
                  {"mailbox", std::move(mailbox)},
                  {"wait_us", nullptr}};
    };
    json pools = json::array();
    pools.push_back(row("executors", "thread pool", d.executor_threads, nullptr));
    pools.push_back(row("ws_sessions", "session", d.ws != nullptr ? d.ws->sessions() : 0, nullptr));
    pools.push_back(
        row("operator", "actor", 1, d.operator_mailbox ? d.operator_mailbox() : std::size_t{0}));
    // The probers answer on their own threads, possibly at once and
    // concurrently: whoever answers last sends the reply.
    struct gather {
      std::mutex mutex;
      std::vector<std::vector<actors::actor_probe>> parts;
      std::size_t left = 0;
      json pools;
      op::json_done done;
    };
    auto g = std::make_shared<gather>();
    g->parts.resize(d.probes.size());
    g->left = d.probes.size() + 1; // +1: this call's own, once every prober was started
    g->pools = std::move(pools);
    g->done = std::move(done);
    auto arrive = [g, row](std::optional<std::size_t> part, std::vector<actors::actor_probe> rows) {
      {
        std::lock_guard lock{g->mutex};
        if (part)
          g->parts[*part] = std::move(rows);
        if (--g->left != 0)
          return;
      }
      json out = json::array();
      for (auto& p : g->parts)
        for (auto& probe : p) {
          auto r = row(probe.name, probe.name.starts_with("queue:") ? "queue actor" : "actor", 1,
                       nullptr);
          if (probe.wait_us)
            r["wait_us"] = *probe.wait_us;
          if (probe.mailbox)
            r["mailbox"] = *probe.mailbox;
          out.push_back(std::move(r));
        }
      for (auto& r : g->pools)
        out.push_back(std::move(r));
      auto reply = std::move(g->done);
      reply(json{{"actors", std::move(out)}});
    };
    for (std::size_t i = 0; i < d.probes.size(); ++i)
      d.probes[i](
          [arrive, i](std::vector<actors::actor_probe> rows) { arrive(i, std::move(rows)); });
    arrive(std::nullopt, {});
  };
  if (d.tasks != nullptr) {
    auto* t = d.tasks;
    if (auto* r = d.runtime)
      h.queue_names = [r] {
        return r->queue_names();
      };
    else
      h.queue_names = [] {
        return std::vector<std::string>{"default"};
      };
    h.queue_stats = [t](std::string name, op::json_done done) {
      t->queue_stats(std::move(name), std::move(done));
    };
    h.get_task = [t](std::string id, op::json_done done) {
      t->get_task(std::move(id), std::move(done));
    };
    h.cancel_task = [t](std::string id, op::json_done done) {
      t->cancel_task(std::move(id), std::move(done));
    };
    h.retry_task = [t](std::string id, op::json_done done) {
      t->retry_task(std::move(id), std::move(done));
    };
  }
  if (d.ws != nullptr) {
    auto* ws = d.ws;
    h.sessions = [ws] {
      constexpr std::size_t max_rows = 1000;
      json rows = json::array();
      for (auto& r : ws->list(max_rows))
        rows.push_back(json{{"id", std::move(r.id)},
                            {"client", std::move(r.client)},
                            {"admin", r.admin},
                            {"attached", r.attached}});
      return json{{"count", ws->sessions()}, {"sessions", std::move(rows)}};
    };
    h.kick = [ws](std::string id) -> result<json> {
      if (!ws->kick(id))
        return fail(errc::not_found, "no WebSocket session '" + id + "' on this node");
      log::emit(log::level::warn, "operator_kick", R"("session":{})", log::quote(id));
      return json{{"kicked", id}};
    };
  }
  if (d.cluster != nullptr) {
    auto* c = d.cluster;
    h.failover = [c](std::string from, std::string to, op::json_done done) {
      c->failover(std::move(from), std::move(to), std::move(done));
    };
    h.failback = [c](std::string region, op::json_done done) {
      c->failback(std::move(region), std::move(done));
    };
  }
  h.config_show = [path = d.manifest_path] {
    auto doc = read_manifest_json(path);
    if (!doc)
      return json{{"error", doc.err().detail}};
    return redact_manifest(std::move(*doc));
  };
  h.config_reload = [path = d.manifest_path, started, apply = d.apply_live]() -> result<json> {
    auto parsed = config::load_manifest(path);
    if (!parsed)
      return fail(errc::invalid_field, "the manifest does not validate: " + parsed.err().detail);
    auto now = read_manifest_json(path);
    if (!now)
      return now.err();
    json changed = json::array();
    for (const auto& [name, value] : now->items())
      if (!started->contains(name) || (*started)[name] != value)
        changed.push_back(name);
    for (const auto& [name, value] : started->items())
      if (!now->contains(name))
        changed.push_back(name);
    // What the node can change while running is applied (the gateway's
    // rate-limit tiers); routing, limits and the rest are fixed in their
    // services until a restart, and the log level is a command-line flag
    // (`log-level` changes it live). Each changed field says which it is.
    std::vector<std::string> live;
    if (apply)
      live = apply(*parsed);
    const auto applies_live = [&live](const std::string& field) {
      for (const auto& p : live)
        if (field == p || field.rfind(p + ".", 0) == 0 || field.rfind(p + "[", 0) == 0)
          return true;
      return false;
    };
    constexpr std::size_t max_fields = 200;
    json fields = json::array();
    changed_fields(*started, *now, "", fields, max_fields);
    json applied = json::array();
    json restart = json::array();
    json per_field = json::array();
    for (auto& f : fields) {
      const auto name = f.get<std::string>();
      const bool now_live = applies_live(name);
      per_field.push_back(
          json{{"field", name}, {"action", now_live ? "applied" : "needs restart"}});
      (now_live ? applied : restart).push_back(std::move(f));
    }
    return json{{"valid", true},
                {"changed", changed},
                {"applied", std::move(applied)},
                {"restart_needed", std::move(restart)},
                {"fields", std::move(per_field)}};
  };
  h.set_log_level = [level](std::string text) -> result<json> {
    log::level l;
    if (!log::parse_level(text, l))
      return fail(errc::invalid_field, "log level must be debug, info, warn, error or off");
    log::set_level(l);
    level->store(static_cast<int>(l));
    log::emit(log::level::warn, "operator_log_level", R"("level":"{}")", level_name(l));
    return json{{"log_level", level_name(l)}};
  };
  if (d.security != nullptr) {
    auto* s = d.security;
    h.keys_list = [s](op::json_done done) {
      s->list_keys(std::move(done));
    };
    h.keys_create = [s](json spec, op::json_done done) {
      auto decoded = net::decode_key_spec(spec);
      if (!decoded)
        return done(decoded.err());
      s->create_key(std::move(*decoded), std::move(done));
    };
    h.keys_revoke = [s](std::string id, op::json_done done) {
      s->revoke_key(std::move(id), std::move(done));
    };
    h.audit = [s](const std::string& identity, const std::string& line, int status) {
      net::audit_entry e;
      e.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
      e.key_id = identity;
      e.client_ip = "shell";
      e.method = "SHELL";
      e.path = line;
      e.status = status == 0 ? 200 : status == 2 ? 400 : status == 3 ? 401 : 422;
      s->audit(std::move(e));
    };
  }
  return h;
}

} // namespace nzl::apps
