// The node's side of the operator shell: each hook of operator_hooks over
// the node's services (task service, cluster control, key store, WebSocket
// hub, manifest, log level). Nothing here blocks for long: the manifest is
// read from disk only for `config show` and `config reload`.
#include "apps/operator/node_operator.hpp"

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
  h.actors = [d] {
    // Mailbox sizes are known for the operator actor only: the runtime's
    // and the cluster's actors are private to their libraries.
    json rows = json::array();
    rows.push_back(
        json{{"name", "region_node"}, {"kind", "actor"}, {"count", 1}, {"mailbox", nullptr}});
    rows.push_back(json{{"name", "executors"},
                        {"kind", "thread pool"},
                        {"count", d.executor_threads},
                        {"mailbox", nullptr}});
    rows.push_back(json{
        {"name", "queues"}, {"kind", "actor per queue"}, {"count", nullptr}, {"mailbox", nullptr}});
    rows.push_back(json{{"name", "ws_sessions"},
                        {"kind", "session"},
                        {"count", d.ws != nullptr ? d.ws->sessions() : 0},
                        {"mailbox", nullptr}});
    rows.push_back(json{{"name", "analytics"},
                        {"kind", "actor"},
                        {"count", d.analytics ? 1 : 0},
                        {"mailbox", nullptr}});
    rows.push_back(json{{"name", "cluster_link"},
                        {"kind", "actor"},
                        {"count", d.cluster != nullptr ? 1 : 0},
                        {"mailbox", nullptr}});
    rows.push_back(json{{"name", "operator"},
                        {"kind", "actor"},
                        {"count", 1},
                        {"mailbox", d.operator_mailbox ? d.operator_mailbox() : 0}});
    return json{{"actors", std::move(rows)}};
  };
  if (d.tasks != nullptr) {
    auto* t = d.tasks;
    if (d.queue_names)
      h.queue_names = d.queue_names;
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
  h.config_reload = [path = d.manifest_path, started]() -> result<json> {
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
    // Nothing of the manifest is applied live yet: the gateway's tiers,
    // limits and routing are fixed at start. `log-level` changes live.
    return json{{"valid", true},
                {"changed", changed},
                {"applied", json::array()},
                {"restart_needed", changed}};
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
      e.status = status == 0 ? 200 : status == 2 ? 400 : 422;
      s->audit(std::move(e));
    };
  }
  return h;
}

} // namespace nzl::apps
