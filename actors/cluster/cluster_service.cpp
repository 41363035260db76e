// The cluster link layer (issue 5). Model: every node runs one link actor,
// published on its manifest cluster address. Of two peers the one with the
// smaller node name dials (../shared/notes/cluster-lessons.md, point 3), with
// capped, jittered backoff, through the middleman's connect (never the
// blocking remote_actor); the first message both ways is a versioned hello
// carrying the sender's handle, so the dialled side needs no connection of
// its own. Both sides monitor the other's link actor (a dead process is a
// down_msg within milliseconds) and heartbeat every `heartbeat` with their
// load; silence makes a peer suspect, then down (a hung peer).
//
// Invariants: the link actor alone owns the membership and the table of
// forwarded tasks; io threads route on an immutable snapshot it publishes
// after each change, and the actor re-checks on arrival. Every forwarded task
// is answered exactly once: by the peer, by its own timeout, by "peer lost"
// (retried once in the next region when idempotent, else 503 "may have
// run"), or by shutdown. Peer loss has one place: lose_peer().
//
// Peer messages (nzl::cluster::peer_messaging) ride the same links: one-way
// messages (pmsg) and questions (ask, answered like a forwarded task). The
// link actor owns the topic handlers (registered by message, so any time)
// and the gathers in flight; a gather is settled by answers, errors, its own
// timer or lose_peer(), so it always ends. Messages from one node to another
// keep their order (one actor each side, one link).
//
// A forwarded task keeps its caller's progress callback and cancel flag
// here (in `forwards`); the serving node keeps the task's own cancel flag in
// `remote_runs` under (our link actor, our token) until the task ends, sends
// progress back as that link actor, and sets the flag on our cancel.
//
// A crash of this node loses the synchronous tasks it forwarded (their
// clients see the connection drop); durable tasks live on their home node.
#include "actors/cluster/cluster_service.hpp"

#include "actors/cluster/internal/wire.hpp"
#include "actors/internal/mailbox_size.hpp"
#include "cluster/backoff.hpp"
#include "cluster/gather_round.hpp"
#include "cluster/hello_check.hpp"
#include "cluster/key_owner.hpp"
#include "cluster/membership.hpp"
#include "cluster/port_probe.hpp"
#include "cluster/progress_limiter.hpp"
#include "cluster/task_home.hpp"
#include "core/log.hpp"
#include "net/response_json.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

namespace nzl::actors::cluster {

using namespace nzl::actors::cluster::internal;
namespace nc = nzl::cluster;
using nlohmann::json;

namespace {

/// A synchronous task on its way to another node.
struct fwd_job {
  task_request request;
  net::task_service::outcome_handler done;
  bool idempotent = false;
  nc::route_request route;
  unsigned attempts = 0;
};

/// A durable-task operation, enqueue or drain bound for a region.
struct op_job {
  enum class kind { enqueue, get, cancel, retry, drain } what = kind::get;
  std::string region;
  std::string node; ///< a durable task's home node; empty: any node of `region`
  std::string id;
  task_request request; ///< enqueue
  wire_drain drain;     ///< drain
  net::task_service::json_handler done;
};

/// A topic's handlers for the link actor (either may be empty).
struct topic_handlers {
  std::string topic;
  nzl::cluster::peer_messaging::message_handler on_message;
  nzl::cluster::peer_messaging::question_handler on_question;
};

/// A peer message to send: to `node`, or to every live peer when empty.
struct outgoing_msg {
  std::string node;
  std::string topic;
  std::string payload;
};

/// A gather asked by this node. A job dropped unrun (the link actor
/// stopped) still answers: every peer missing.
struct gather_job {
  std::string topic;
  std::string question;
  std::chrono::milliseconds timeout{0};
  nzl::cluster::peer_messaging::gather_handler done;
  std::vector<std::string> peers;
  gather_job() = default;
  gather_job(const gather_job&) = delete;
  gather_job& operator=(const gather_job&) = delete;
  ~gather_job() {
    if (!done)
      return;
    nzl::cluster::gathered g;
    for (auto& p : peers)
      g.missing.push_back(nzl::cluster::missing_node{p, "this node shut down"});
    done(std::move(g));
  }
};

/// An Idempotency-Key operation for the node that keeps the key (begin:
/// its verdict; finish: store or release the answer). Its handler always
/// runs once: a job dropped unrun (the link actor stopped) answers
/// `unavailable` (begin) or just finishes.
struct idem_job {
  bool finish = false;
  std::string key;
  std::string fingerprint;                    ///< begin
  std::optional<net::http_response> response; ///< finish
  std::string owner;                          ///< finish: the node that answered the begin
  net::task_service::idempotency_handler on_verdict;
  std::function<void()> on_finished;
  idem_job() = default;
  idem_job(const idem_job&) = delete;
  idem_job& operator=(const idem_job&) = delete;
  ~idem_job() {
    if (on_verdict)
      on_verdict(net::task_service::idempotency_verdict::unavailable, {});
    if (on_finished)
      on_finished();
  }
  void verdict(net::task_service::idempotency_verdict v, net::http_response r = {}) {
    if (auto done = std::exchange(on_verdict, nullptr))
      done(v, std::move(r));
  }
  void finished() {
    if (auto done = std::exchange(on_finished, nullptr))
      done();
  }
};

using fwd_job_ptr = std::shared_ptr<fwd_job>;
using idem_job_ptr = std::shared_ptr<idem_job>;
using op_job_ptr = std::shared_ptr<op_job>;
using mailbox_probe_ptr = std::shared_ptr<mailbox_probe>;
using topic_handlers_ptr = std::shared_ptr<const topic_handlers>;
using outgoing_ptr = std::shared_ptr<outgoing_msg>;
using gather_job_ptr = std::shared_ptr<gather_job>;

} // namespace
} // namespace nzl::actors::cluster

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::cluster::fwd_job_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::cluster::op_job_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::cluster::mailbox_probe_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::cluster::topic_handlers_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::cluster::outgoing_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::cluster::gather_job_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::cluster::idem_job_ptr)

namespace nzl::actors::cluster {

namespace {

using job_atom = caf::atom_constant<caf::atom("nzl_job")>;
using opjob_atom = caf::atom_constant<caf::atom("nzl_opjob")>;
using mbox_atom = caf::atom_constant<caf::atom("nzl_mbox")>;
using tick_atom = caf::atom_constant<caf::atom("nzl_tick")>;
using probe_atom = caf::atom_constant<caf::atom("nzl_probe")>;
using dial_atom = caf::atom_constant<caf::atom("nzl_dial")>;
using ldone_atom = caf::atom_constant<caf::atom("nzl_ldone")>;
using reg_atom = caf::atom_constant<caf::atom("nzl_reg")>;
using out_atom = caf::atom_constant<caf::atom("nzl_out")>;
using gather_atom = caf::atom_constant<caf::atom("nzl_gath")>;
using gend_atom = caf::atom_constant<caf::atom("nzl_gend")>;
using sexp_atom = caf::atom_constant<caf::atom("nzl_sexp")>;
using fpoll_atom = caf::atom_constant<caf::atom("nzl_fpoll")>;
using fdone_atom = caf::atom_constant<caf::atom("nzl_fdone")>;
using idjob_atom = caf::atom_constant<caf::atom("nzl_idjob")>;
using idtrack_atom = caf::atom_constant<caf::atom("nzl_idtrk")>;

const std::string app_id = "noizylab-cluster/" + std::to_string(protocol_version);

class link_config : public caf::actor_system_config {
public:
  explicit link_config(const cluster_options& o) {
    load<caf::io::middleman>();
    if (o.tls.enabled()) {
      load<caf::openssl::manager>();
      openssl_certificate = o.tls.cert_file;
      openssl_key = o.tls.key_file;
      openssl_cafile = o.tls.ca_file;
    }
    register_wire_types(*this);
    set("scheduler.max-threads", static_cast<std::size_t>(1));
    set("scheduler.policy", caf::atom("sharing"));
    set("logger.verbosity", caf::atom("quiet"));
    set("middleman.app-identifiers", std::vector<std::string>{app_id});
    // CAF's own liveness (off by default): a half-open link ends instead of
    // leaving a ghost peer (cluster-lessons point 1).
    set("middleman.heartbeat-interval", caf::timespan{o.heartbeat});
    set("middleman.connection-timeout", caf::timespan{o.down_after * 2});
    set("middleman.workers", static_cast<std::size_t>(1));
  }
};

json options_json(const task_options& o) {
  json j = {{"async", o.async},
            {"queue", o.queue},
            {"priority", o.priority},
            {"webhook", o.webhook},
            {"extra", o.extra}};
  if (o.timeout_ms)
    j["timeout_ms"] = *o.timeout_ms;
  if (o.max_retries)
    j["max_retries"] = *o.max_retries;
  if (o.run_at_ms)
    j["run_at_ms"] = *o.run_at_ms;
  return j;
}

wire_task to_wire(const task_request& r) {
  return wire_task{r.id,         r.type,   r.payload.dump(), options_json(r.options).dump(),
                   r.request_id, r.client, r.country};
}

// Only peers of our own cluster send these (hello checked first), but the
// text is still parsed without exceptions.
task_request from_wire(const wire_task& w) {
  task_request r;
  r.id = w.id;
  r.type = w.type;
  r.payload = json::parse(w.payload, nullptr, false);
  if (r.payload.is_discarded())
    r.payload = nullptr;
  auto o = json::parse(w.options, nullptr, false);
  if (o.is_object()) {
    r.options.async = o.value("async", false);
    r.options.queue = o.value("queue", std::string{"default"});
    r.options.priority = o.value("priority", std::string{"normal"});
    r.options.webhook = o.value("webhook", std::string{});
    if (auto e = o.find("extra"); e != o.end() && e->is_object())
      r.options.extra = *e;
    if (auto t = o.find("timeout_ms"); t != o.end() && t->is_number_unsigned())
      r.options.timeout_ms = t->get<std::uint32_t>();
    if (auto t = o.find("max_retries"); t != o.end() && t->is_number_unsigned())
      r.options.max_retries = t->get<std::uint32_t>();
    if (auto t = o.find("run_at_ms"); t != o.end() && t->is_number_integer())
      r.options.run_at_ms = t->get<std::int64_t>();
  }
  r.request_id = w.request_id;
  r.client = w.client;
  r.country = w.country;
  return r;
}

wire_result to_wire(const error& e, std::string region) {
  wire_result w;
  w.ok = false;
  w.code = static_cast<std::uint8_t>(e.code);
  w.detail = e.detail;
  w.extensions = e.extensions.dump();
  w.region = std::move(region);
  return w;
}

wire_result to_wire(result<json> value, std::string region, double duration_ms = 0) {
  if (!value)
    return to_wire(value.err(), std::move(region));
  wire_result w;
  w.ok = true;
  w.value = value->dump();
  w.region = std::move(region);
  w.duration_ms = duration_ms;
  return w;
}

result<json> value_of(const wire_result& w) {
  if (w.ok) {
    auto v = json::parse(w.value, nullptr, false);
    if (v.is_discarded())
      return fail(errc::internal, "a peer answered with unreadable JSON");
    return v;
  }
  auto ext = json::parse(w.extensions, nullptr, false);
  if (!ext.is_object())
    ext = json::object();
  auto code = w.code <= static_cast<std::uint8_t>(errc::internal) ? static_cast<errc>(w.code)
                                                                  : errc::internal;
  return fail(code, w.detail, std::move(ext));
}

task_outcome outcome_of(const task_request& r, result<json> value, std::string region,
                        double duration_ms = 0) {
  task_outcome o;
  o.id = r.id;
  o.type = r.type;
  o.value = std::move(value);
  o.region = std::move(region);
  o.duration_ms = duration_ms;
  return o;
}

/// The region a task goes to, given the current membership: an operator's
/// redirect of a drained home first, then the home and its fallbacks.
result<std::string> pick_region(const nc::membership& m, const nc::routing_table& table,
                                const nc::route_request& route) {
  auto serving = [&](std::string_view r) {
    return m.region_serving(r);
  };
  if (!route.pinned) {
    const auto& home = table.home(route.country);
    if (!serving(home)) {
      std::string redirect = home == m.self_region() ? m.self_load().redirect : std::string{};
      for (const auto& p : m.peers())
        if (p.region == home && p.load.drained && !p.load.redirect.empty())
          redirect = p.load.redirect;
      if (!redirect.empty() && serving(redirect) &&
          std::find(route.exclude.begin(), route.exclude.end(), redirect) == route.exclude.end())
        return redirect;
    }
  }
  return nc::choose_region(table, route, serving);
}

result<nc::route_request> route_of(const task_request& r) {
  nc::route_request route;
  route.country = r.country;
  if (auto it = r.options.extra.find("region"); it != r.options.extra.end()) {
    if (!it->is_string())
      return fail(errc::invalid_field, "options.region must be a region name",
                  {{"field", "options.region"}});
    route.pinned = it->get<std::string>();
  }
  if (auto it = r.options.extra.find("fallback"); it != r.options.extra.end()) {
    if (!it->is_boolean())
      return fail(errc::invalid_field, "options.fallback must be true or false",
                  {{"field", "options.fallback"}});
    route.allow_fallback = it->get<bool>();
  }
  return route;
}

} // namespace

struct cluster_service::impl {
  impl(cluster_options o, net::task_service& l)
      : options(std::move(o)), local(l),
        snapshot(std::make_shared<const nc::membership>(initial_membership())), config(options),
        system(config) {}

  nc::membership initial_membership() const {
    nc::membership m{options.node, options.region,
                     nc::membership_options{options.suspect_after, options.down_after}};
    for (const auto& p : options.peers)
      m.add_peer(p.node, p.region, p.weight);
    return m;
  }

  std::shared_ptr<const nc::membership> view() const {
    std::lock_guard guard{snapshot_mutex};
    return snapshot;
  }
  void publish(const nc::membership& m) {
    auto copy = std::make_shared<const nc::membership>(m);
    std::lock_guard guard{snapshot_mutex};
    snapshot = std::move(copy);
  }

  /// Runs on this node's runtime, counting it in our load.
  void run_local(task_request r, outcome_handler done) {
    in_flight.fetch_add(1);
    served.fetch_add(1, std::memory_order_relaxed);
    local.run(std::move(r), [this, done = std::move(done)](task_outcome o) {
      in_flight.fetch_sub(1);
      record(o.duration_ms);
      o.node = options.node;
      done(std::move(o));
    });
  }

  void record(double ms) {
    std::lock_guard guard{durations_mutex};
    durations[next_duration++ % durations.size()] = ms;
    filled = std::min(filled + 1, durations.size());
  }

  double p95() const {
    std::array<double, 256> copy;
    std::size_t n;
    {
      std::lock_guard guard{durations_mutex};
      copy = durations;
      n = filled;
    }
    if (n == 0)
      return 0;
    auto k = static_cast<std::size_t>(static_cast<double>(n - 1) * 0.95);
    std::nth_element(copy.begin(), copy.begin() + static_cast<long>(k),
                     copy.begin() + static_cast<long>(n));
    return copy[k];
  }

  cluster_options options;
  net::task_service& local;
  std::atomic<std::uint32_t> in_flight{0};
  std::atomic<std::uint64_t> served{0}; ///< synchronous tasks run here (own and forwarded)

  // Guards `idem_owners`: the node that keeps each Idempotency-Key this
  // node's requests hold (begun elsewhere, not finished yet).
  std::mutex idem_mutex;
  std::unordered_map<std::string, std::string> idem_owners;

  // Guards `snapshot` only (a pointer swap).
  mutable std::mutex snapshot_mutex;
  std::shared_ptr<const nc::membership> snapshot;

  // Guards the ring of recent local task durations (p95 for heartbeats).
  mutable std::mutex durations_mutex;
  std::array<double, 256> durations{};
  std::size_t next_duration = 0;
  std::size_t filled = 0;

  // Guards `link` against start/stop and `pending_topics` (handlers
  // registered before start, handed to the link actor when it spawns).
  mutable std::mutex link_mutex;
  std::vector<topic_handlers_ptr> pending_topics;
  caf::actor link_handle() const {
    std::lock_guard guard{link_mutex};
    return link;
  }

  caf::actor link;
  std::uint16_t port = 0;
  // Last: destroyed first, so the link actor (which reads the members
  // above) is gone before they are.
  link_config config;
  caf::actor_system system;
};

namespace {

struct peer_link {
  cluster_peer info;
  caf::actor handle;
  bool dialer = false; ///< we dial this peer (our name is smaller)
  bool dialing = false;
  std::uint32_t failed_dials = 0; ///< in a row, since the last link
  caf::actor prober;              ///< detached: probes the peer's port before each dial
  nc::backoff retry{std::chrono::milliseconds{250}, std::chrono::milliseconds{4000}, 1};
};

struct pending_fwd {
  fwd_job_ptr job;
  std::string node;
  std::string region;
  bool cancel_sent = false; ///< the serving node was told of the cancel
};

/// A peer's forwarded task running here, by (sending link actor, its token):
/// what a cancel from that peer sets.
using remote_run_key = std::pair<caf::actor_addr, std::uint64_t>;

struct pending_op {
  op_job_ptr job;
  std::string node;
};

struct pending_gather {
  std::unique_ptr<nc::gather_round> round;
  nzl::cluster::peer_messaging::gather_handler done;
};

struct link_state {
  cluster_service::impl* svc = nullptr;
  std::unique_ptr<nc::membership> members;
  std::map<std::string, peer_link, std::less<>> peers;
  std::unordered_map<std::uint64_t, pending_fwd> forwards;
  std::unordered_map<std::uint64_t, pending_op> ops;
  std::unordered_map<std::uint64_t, caf::response_promise> serving;
  std::map<remote_run_key, std::shared_ptr<cancel_flag>> remote_runs;
  /// Idempotency-Keys this node keeps that a peer's request holds (begun,
  /// not finished), by key: the peer's node. Released if that peer is lost.
  std::unordered_map<std::string, std::string> idem_held;
  bool cancel_poll_armed = false;
  std::map<std::string, nc::balancer, std::less<>> balancers;
  std::map<std::string, topic_handlers, std::less<>> topics;
  std::unordered_map<std::uint64_t, pending_gather> gathers;
  std::uint64_t next_token = 1;
  static inline const char* name = "cluster-link";
};

using link_actor = caf::stateful_actor<link_state>;

nc::load_report self_load(link_actor* self) {
  auto& s = self->state;
  auto load = s.members->self_load();
  load.in_flight = s.svc->in_flight.load() + static_cast<std::uint32_t>(s.forwards.size());
  load.queue_depth = s.svc->options.queue_depth ? s.svc->options.queue_depth() : 0;
  load.p95_ms = s.svc->p95();
  return load;
}

wire_load self_wire_load(link_actor* self) {
  auto load = self_load(self);
  return wire_load{self->state.svc->options.node,
                   load.in_flight,
                   load.queue_depth,
                   load.p95_ms,
                   load.drained,
                   load.redirect};
}

nc::load_report load_of(const wire_load& w) {
  nc::load_report l;
  l.in_flight = w.in_flight;
  l.queue_depth = w.queue_depth;
  l.p95_ms = w.p95_ms;
  l.drained = w.drained;
  l.redirect = w.redirect;
  return l;
}

void log_transition(const std::optional<nc::transition>& t, const std::string& detail = {}) {
  if (!t)
    return;
  log::emit(t->to == nc::peer_state::up ? log::level::info : log::level::warn, "cluster_peer",
            R"("node":{},"from":"{}","to":"{}","detail":{})", log::quote(t->node),
            nc::to_string(t->from), nc::to_string(t->to), log::quote(detail));
}

void publish(link_actor* self) {
  self->state.members->set_self_load(self_load(self));
  self->state.svc->publish(*self->state.members);
}

void route_fwd(link_actor* self, fwd_job_ptr j);
void route_op(link_actor* self, op_job_ptr j);

// Ends the gather `token` when every asked peer is settled.
void finish_gather_if_complete(link_actor* self, std::uint64_t token) {
  auto& gathers = self->state.gathers;
  auto it = gathers.find(token);
  if (it == gathers.end() || !it->second.round->complete())
    return;
  auto g = std::move(it->second);
  gathers.erase(it);
  g.done(g.round->finish());
}

// `node` will not answer the gathers waiting for it.
void settle_gathers(link_actor* self, const std::string& node, const std::string& why) {
  std::vector<std::uint64_t> tokens;
  for (auto& [token, g] : self->state.gathers)
    if (g.round->fail(node, why))
      tokens.push_back(token);
  for (auto token : tokens)
    finish_gather_if_complete(self, token);
}

void schedule_dial(link_actor* self, peer_link& p) {
  if (!p.dialer || p.dialing || p.handle)
    return;
  p.dialing = true;
  self->delayed_send(self, p.retry.next(), dial_atom::value, p.info.node);
}

// The single place where a peer is lost: membership, its pending work, redial.
void lose_peer(link_actor* self, const std::string& node, const std::string& why) {
  auto& s = self->state;
  auto it = s.peers.find(node);
  if (it == s.peers.end())
    return;
  auto& p = it->second;
  if (p.handle)
    self->demonitor(p.handle);
  p.handle = nullptr;
  log_transition(s.members->lost(node, why), why);
  publish(self);
  // Keys the lost peer's requests held here: released, so that a retry
  // through another node runs instead of waiting for an answer that will
  // not come.
  for (auto k = s.idem_held.begin(); k != s.idem_held.end();) {
    if (k->second != node) {
      ++k;
      continue;
    }
    s.svc->local.idempotency_finish(k->first, std::nullopt, [] {});
    k = s.idem_held.erase(k);
  }
  std::vector<std::uint64_t> tokens;
  for (auto& [token, f] : s.forwards)
    if (f.node == node)
      tokens.push_back(token);
  for (auto token : tokens) {
    auto f = std::move(s.forwards[token]);
    s.forwards.erase(token);
    auto& j = *f.job;
    if (j.idempotent && j.attempts == 0) {
      ++j.attempts;
      j.route.exclude.push_back(f.region);
      route_fwd(self, f.job);
    } else {
      // The answer names the node that may have run it (X-Served-By-Node).
      auto o = outcome_of(j.request,
                          fail(errc::unavailable,
                               "node " + f.node + " of region " + f.region +
                                   " went down before answering; the task may have run",
                               {{"region", f.region}, {"node", f.node}, {"may_have_run", true}}),
                          f.region);
      o.node = f.node;
      j.done(std::move(o));
    }
  }
  std::vector<std::uint64_t> op_tokens;
  for (auto& [token, o] : s.ops)
    if (o.node == node)
      op_tokens.push_back(token);
  for (auto token : op_tokens) {
    auto o = std::move(s.ops[token]);
    s.ops.erase(token);
    o.job->done(fail(errc::unavailable,
                     "the node of region " + o.job->region +
                         " went down before answering; the operation may have happened",
                     {{"region", o.job->region}, {"may_have_run", true}}));
  }
  settle_gathers(self, node, "lost: " + why);
  schedule_dial(self, p);
}

void adopt(link_actor* self, const std::string& node, caf::actor handle) {
  auto& s = self->state;
  auto it = s.peers.find(node);
  if (it == s.peers.end())
    return;
  auto& p = it->second;
  if (p.handle && p.handle != handle)
    self->demonitor(p.handle);
  p.handle = handle;
  p.dialing = false;
  p.failed_dials = 0;
  p.retry.reset();
  self->monitor(handle);
  s.members->set_linked(node, true);
  log_transition(s.members->heard(node, nc::clock::now(), {}), "linked");
  publish(self);
}

wire_hello my_hello(link_actor* self) {
  const auto& o = self->state.svc->options;
  return wire_hello{protocol_version, o.cluster_name, o.node, o.region, true, {}};
}

// Why we refuse a peer's hello, or empty.
std::string refusal(link_actor* self, const wire_hello& h) {
  const auto& o = self->state.svc->options;
  std::optional<std::string_view> region;
  if (auto it = self->state.peers.find(h.node); it != self->state.peers.end())
    region = it->second.info.region;
  return nc::hello_refusal({protocol_version, o.cluster_name, o.node, o.region},
                           {h.version, h.cluster, h.node, h.region}, region);
}

// A peer's prober, on a thread of its own (detached): resolves the peer's
// host and opens and closes a TCP connection to it, answering the address
// that answered. `node` only names it (and gives CAF's spawn an argument).
caf::behavior prober_behavior(caf::event_based_actor* self, const std::string& node) {
  (void)node;
  self->set_default_handler(caf::drop);
  return {
      [](probe_atom, const std::string& host, std::uint16_t port,
         std::int64_t timeout_ms) -> caf::result<std::string> {
        auto r = nc::probe_port(host, port, std::chrono::milliseconds(timeout_ms));
        if (!r)
          return caf::make_error(caf::sec::cannot_connect_to_node, r.err().detail);
        return std::move(r).value();
      },
  };
}

// Asks the middleman to connect to the address the probe found, then says
// hello. Never called before the probe answered: the middleman's connect
// blocks its network thread (cluster-lessons point 2).
void connect_via_middleman(link_actor* self, const std::string& node, caf::io::middleman_actor mm,
                           const std::string& address, std::function<void(std::string)> retry) {
  auto i = self->state.peers.find(node);
  if (i == self->state.peers.end() || i->second.handle)
    return;
  const auto& opts = self->state.svc->options;
  auto port = i->second.info.port;
  self->request(mm, opts.connect_timeout, caf::connect_atom::value, address, port)
      .then(
          [self, node, retry](const caf::node_id&, caf::strong_actor_ptr& ptr,
                              const std::set<std::string>&) {
            if (!ptr)
              return retry("no actor published at the peer's address");
            auto peer = caf::actor_cast<caf::actor>(ptr);
            self->request(peer, self->state.svc->options.connect_timeout, hello_atom::value,
                          my_hello(self), caf::actor_cast<caf::actor>(self))
                .then(
                    [self, node, peer, retry](hello_atom, const wire_hello& h) {
                      // A refusal in the peer's words names us as the peer: say who.
                      auto why =
                          h.accepted ? refusal(self, h) : "refused by " + node + ": " + h.why;
                      if (why.empty() && h.node != node)
                        why = "the address of " + node + " answers as " + h.node;
                      if (!why.empty()) {
                        log_transition(self->state.members->refused(node, why), why);
                        publish(self);
                        log::emit(log::level::error, "cluster_peer_refused",
                                  R"("node":{},"detail":{})", log::quote(node), log::quote(why));
                        // Incompatible, not unreachable: try again only slowly
                        // (an operator may be upgrading it).
                        auto i = self->state.peers.find(node);
                        if (i != self->state.peers.end()) {
                          i->second.dialing = true;
                          self->delayed_send(self, std::chrono::seconds(10), dial_atom::value,
                                             node);
                        }
                        return;
                      }
                      adopt(self, node, peer);
                    },
                    [retry](caf::error& e) { retry("hello: " + caf::to_string(e)); });
          },
          [self, node, retry](caf::error& e) {
            if (e == caf::sec::incompatible_application_ids) {
              auto why = "peer " + node + " runs another cluster protocol (CAF application id)";
              log_transition(self->state.members->refused(node, why), why);
              publish(self);
            }
            retry(caf::to_string(e));
          });
}

void dial(link_actor* self, const std::string& node) {
  auto& s = self->state;
  auto it = s.peers.find(node);
  if (it == s.peers.end() || it->second.handle)
    return;
  const auto& opts = s.svc->options;
  auto& p = it->second;
  auto mm = opts.tls.enabled() ? self->system().openssl_manager().actor_handle()
                               : self->system().middleman().actor_handle();
  auto retry = [self, node](std::string why) {
    auto& st = self->state;
    auto i = st.peers.find(node);
    if (i == st.peers.end())
      return;
    i->second.dialing = false;
    // An operator should see a peer that cannot be reached (a refused TLS
    // handshake: another CA) without a log line per backoff step: warn on
    // the first failure in a row and every 64th after it.
    auto n = ++i->second.failed_dials;
    log::emit(n % 64 == 1 ? log::level::warn : log::level::debug, "cluster_dial_failed",
              R"("node":{},"detail":{},"failures_in_a_row":{})", log::quote(node), log::quote(why),
              n);
    schedule_dial(self, i->second);
  };
  // Probe first, off the middleman's thread: a detached prober per peer may
  // block on a name lookup or a silent host; the middleman never does.
  if (!p.prober)
    p.prober = self->spawn<caf::detached>(prober_behavior, node);
  const auto probe_ms = static_cast<std::int64_t>(opts.connect_timeout.count());
  self->request(p.prober, opts.connect_timeout + std::chrono::seconds(10), probe_atom::value,
                p.info.host, p.info.port, probe_ms)
      .then([self, node, mm, retry](
                std::string& address) { connect_via_middleman(self, node, mm, address, retry); },
            [retry](caf::error& e) { retry("probe: " + caf::to_string(e)); });
}

// --- Idempotency-Keys across the cluster ---------------------------------

// A key's verdict as it crosses the link.
std::string_view verdict_name(net::task_service::idempotency_verdict v) {
  using v_t = net::task_service::idempotency_verdict;
  switch (v) {
  case v_t::proceed:
    return "proceed";
  case v_t::replay:
    return "replay";
  case v_t::mismatch:
    return "mismatch";
  case v_t::busy:
    return "busy";
  case v_t::unavailable:
    break;
  }
  return "unavailable";
}

std::optional<net::task_service::idempotency_verdict> verdict_of(std::string_view name) {
  using v_t = net::task_service::idempotency_verdict;
  for (auto v : {v_t::proceed, v_t::replay, v_t::mismatch, v_t::busy, v_t::unavailable})
    if (verdict_name(v) == name)
      return v;
  return std::nullopt;
}

// The peer a request came from, by its link actor; empty if none of ours.
std::string node_of_sender(link_actor* self) {
  const auto& sender = self->current_sender();
  if (!sender)
    return {};
  for (const auto& [node, p] : self->state.peers)
    if (p.handle && p.handle.address() == sender->address())
      return node;
  return {};
}

// Who may keep an Idempotency-Key: this node and the peers it is linked to
// and hears from. The same on the io threads (from the published snapshot)
// and in the link actor.
std::vector<std::string> keeper_candidates(const nc::membership& m) {
  std::vector<std::string> nodes{m.self_node()};
  for (const auto& p : m.peers())
    if (p.linked && (p.state == nc::peer_state::up || p.state == nc::peer_state::suspect))
      nodes.push_back(p.node);
  return nodes;
}

// A begin waits behind a first request with the same key, which may run
// for the longest task timeout (1 h).
constexpr auto idem_begin_timeout = std::chrono::seconds{3600 + 30};
constexpr auto idem_finish_timeout = std::chrono::seconds{30};

// Begin: the key's keeper is chosen among this node and the peers it is
// linked to and hears from (key_owner); this node answers for itself.
// Finish: goes to the node that answered the begin.
void route_idem(link_actor* self, const idem_job_ptr& j) {
  auto& s = self->state;
  using v_t = net::task_service::idempotency_verdict;
  if (j->finish) {
    auto p = s.peers.find(j->owner);
    if (p == s.peers.end() || !p->second.handle)
      return j->finished(); // the keeper is gone, and with it the key's hold
    auto doc = j->response ? net::response_to_json(*j->response) : json{};
    self->request(p->second.handle, idem_finish_timeout, idf_atom::value, j->key,
                  j->response.has_value(), doc.dump(-1, ' ', false, json::error_handler_t::replace))
        .then([j](wire_result&) { j->finished(); }, [j](caf::error&) { j->finished(); });
    return;
  }
  auto owner = nc::key_owner(j->key, keeper_candidates(*s.members));
  auto link = s.peers.find(owner);
  if (owner == s.svc->options.node || link == s.peers.end() || !link->second.handle) {
    auto done = std::exchange(j->on_verdict, nullptr);
    return s.svc->local.idempotency_begin(j->key, j->fingerprint, std::move(done));
  }
  auto* svc = s.svc;
  self->request(link->second.handle, idem_begin_timeout, idb_atom::value, j->key, j->fingerprint)
      .then(
          [j, svc, owner](wire_result& w) {
            auto doc = value_of(w);
            if (!doc || !doc->is_object() || !(*doc)["verdict"].is_string())
              return j->verdict(v_t::unavailable);
            auto v = verdict_of((*doc)["verdict"].get<std::string>());
            if (!v)
              return j->verdict(v_t::unavailable);
            net::http_response stored;
            if (*v == v_t::replay) {
              auto r = net::response_from_json((*doc)["response"]);
              if (!r)
                return j->verdict(v_t::unavailable);
              stored = std::move(*r);
            }
            if (*v == v_t::proceed) {
              std::lock_guard guard{svc->idem_mutex};
              svc->idem_owners[j->key] = owner;
            }
            j->verdict(*v, std::move(stored));
          },
          [j](caf::error&) { j->verdict(v_t::unavailable); });
}

// How often the cancel flags of forwarded tasks are looked at. A flag is an
// atomic its setter (a WebSocket cancel, a client's deadline) cannot wake
// anyone with, so the link actor polls, and only while tasks are out.
constexpr auto cancel_poll_interval = std::chrono::milliseconds{25};

void arm_cancel_poll(link_actor* self) {
  if (self->state.cancel_poll_armed)
    return;
  self->state.cancel_poll_armed = true;
  self->delayed_send(self, cancel_poll_interval, fpoll_atom::value);
}

// Tells the serving node of each forwarded task cancelled here since the
// last look (once per task).
void poll_cancels(link_actor* self) {
  auto& s = self->state;
  s.cancel_poll_armed = false;
  for (auto& [token, f] : s.forwards) {
    if (f.cancel_sent || !f.job->request.cancel || !f.job->request.cancel->cancelled())
      continue;
    auto p = s.peers.find(f.node);
    if (p == s.peers.end() || !p->second.handle)
      continue;
    f.cancel_sent = true;
    self->send(p->second.handle, fcancel_atom::value, token);
  }
  if (!s.forwards.empty())
    arm_cancel_poll(self);
}

// The serving node's progress callback for a peer's task: one-way messages
// to the sending link actor, as many as nc::progress_limiter lets through.
// Sent as this node's link actor, which the sender checks.
std::function<void(int, std::string_view)> progress_to(caf::actor me, caf::actor origin,
                                                       std::uint64_t token) {
  auto limiter = std::make_shared<nc::progress_limiter>();
  return [me = std::move(me), origin = std::move(origin), token, limiter](int percent,
                                                                          std::string_view stage) {
    if (!limiter->admit(percent, nc::progress_limiter::clock::now()))
      return;
    caf::send_as(me, origin, fprog_atom::value, token, static_cast<std::int32_t>(percent),
                 std::string{stage.substr(0, 128)});
  };
}

void send_forward(link_actor* self, fwd_job_ptr j, const std::string& region,
                  const std::string& node, caf::actor handle) {
  auto& s = self->state;
  auto token = s.next_token++;
  s.forwards.emplace(token, pending_fwd{j, node, region});
  auto timeout = std::chrono::milliseconds(j->request.options.timeout_ms.value_or(30'000)) +
                 std::chrono::seconds(2);
  arm_cancel_poll(self);
  const bool wants_progress = static_cast<bool>(j->request.on_progress);
  self->request(handle, timeout, fwd_atom::value, to_wire(j->request), token, wants_progress)
      .then(
          [self, token](wire_result& w) {
            auto& st = self->state;
            auto it = st.forwards.find(token);
            if (it == st.forwards.end())
              return; // answered already (peer lost, retried)
            auto f = std::move(it->second);
            st.forwards.erase(it);
            auto region = w.region;
            auto d = w.duration_ms;
            auto o = outcome_of(f.job->request, value_of(w), region, d);
            o.node = f.node;
            f.job->done(std::move(o));
          },
          [self, token](caf::error& e) {
            auto& st = self->state;
            auto it = st.forwards.find(token);
            if (it == st.forwards.end())
              return;
            auto f = std::move(it->second);
            st.forwards.erase(it);
            auto o =
                outcome_of(f.job->request,
                           fail(errc::unavailable,
                                "node " + f.node + " of region " + f.region + " did not answer (" +
                                    caf::to_string(e) + "); the task may have run",
                                {{"region", f.region}, {"node", f.node}, {"may_have_run", true}}),
                           f.region);
            o.node = f.node;
            f.job->done(std::move(o));
          });
}

// The peer of `region` to send to, by the region's balancing rule.
const nc::peer_info* choose_node(link_actor* self, const std::string& region,
                                 bool include_drained = false) {
  auto& s = self->state;
  std::vector<const nc::peer_info*> nodes;
  if (include_drained) {
    for (const auto& p : s.members->peers())
      if (p.region == region &&
          (p.state == nc::peer_state::up || p.state == nc::peer_state::suspect))
        nodes.push_back(&p);
  } else {
    nodes = s.members->serving_peers(region);
  }
  std::vector<const nc::peer_info*> linked;
  for (auto* p : nodes) {
    auto it = s.peers.find(p->node);
    if (it != s.peers.end() && it->second.handle)
      linked.push_back(p);
  }
  if (linked.empty())
    return nullptr;
  std::vector<nc::candidate> c;
  for (auto* p : linked)
    c.push_back(nc::candidate{p->node, p->load.in_flight, p->weight, p->rtt_ms});
  auto b = s.balancers.try_emplace(region, s.svc->options.balancing).first;
  return linked[b->second.pick(c)];
}

void route_fwd(link_actor* self, fwd_job_ptr j) {
  auto& s = self->state;
  for (;;) {
    auto region = pick_region(*s.members, s.svc->options.routing, j->route);
    if (!region)
      return j->done(outcome_of(j->request, std::move(region).err(), s.svc->options.region));
    if (*region == s.svc->options.region && s.members->self_serves())
      return s.svc->run_local(std::move(j->request), std::move(j->done));
    if (auto* node = choose_node(self, *region))
      return send_forward(self, j, *region, node->node, s.peers[node->node].handle);
    j->route.exclude.push_back(*region);
  }
}

// Drains (or undrains) this node and says so.
json drain_here(link_actor* self, const wire_drain& d) {
  auto& s = self->state;
  auto load = s.members->self_load();
  load.drained = d.on;
  load.redirect = d.on ? d.redirect : std::string{};
  s.members->set_self_load(load);
  publish(self);
  log::emit(log::level::warn, d.on ? "cluster_failover" : "cluster_failback",
            R"("region":{},"to":{})", log::quote(s.svc->options.region), log::quote(d.redirect));
  return json{{"region", s.svc->options.region},
              {"drained", d.on},
              {"redirect", load.redirect},
              {"node", s.svc->options.node}};
}

// A failover or failback reaches every node of the region it names: this
// one if it is of that region, and every peer of it that is linked. The
// answer lists the nodes that did it and those that did not answer; it is a
// 503 only when no node of the region could be reached.
void drain_region(link_actor* self, op_job_ptr j) {
  struct round {
    op_job_ptr job;
    std::size_t left = 0;
    json nodes = json::array();
    json unreachable = json::array();
  };
  auto& s = self->state;
  auto r = std::make_shared<round>();
  r->job = j;
  auto finish = [r] {
    auto& job = *r->job;
    if (r->nodes.empty())
      return job.done(fail(errc::unavailable,
                           "no node of region " + job.region + " could be reached",
                           {{"region", job.region}, {"unreachable", r->unreachable}}));
    job.done(json{{"region", job.region},
                  {"drained", job.drain.on},
                  {"redirect", job.drain.on ? job.drain.redirect : std::string{}},
                  {"node", r->nodes.front().value("node", "")},
                  {"nodes", r->nodes},
                  {"unreachable", r->unreachable}});
  };
  if (j->region == s.svc->options.region)
    r->nodes.push_back(drain_here(self, j->drain));
  std::vector<std::pair<std::string, caf::actor>> targets;
  for (const auto& p : s.members->peers()) {
    if (p.region != j->region)
      continue;
    auto it = s.peers.find(p.node);
    if (it != s.peers.end() && it->second.handle)
      targets.emplace_back(p.node, it->second.handle);
    else
      r->unreachable.push_back(p.node);
  }
  r->left = targets.size();
  if (r->left == 0)
    return finish();
  auto timeout = s.svc->options.down_after * 4;
  for (auto& [node, handle] : targets) {
    self->request(handle, timeout, drain_atom::value, j->drain)
        .then(
            [self, r, finish, node = node](wire_result& w) {
              auto v = value_of(w);
              if (v) {
                r->nodes.push_back(std::move(v).value());
                // This node routes by the drain at once (the others from the
                // node's next heartbeat): a status or a pinned task right
                // after the answer saw the region still serving.
                if (const auto* p = self->state.members->find(node)) {
                  auto load = p->load;
                  load.drained = r->job->drain.on;
                  load.redirect = load.drained ? r->job->drain.redirect : std::string{};
                  self->state.members->heard(node, nc::clock::now(), load);
                  publish(self);
                }
              } else {
                r->unreachable.push_back(node);
              }
              if (--r->left == 0)
                finish();
            },
            [r, finish, node = node](caf::error&) {
              r->unreachable.push_back(node);
              if (--r->left == 0)
                finish();
            });
  }
}

void route_op(link_actor* self, op_job_ptr j) {
  auto& s = self->state;
  auto& local = s.svc->local;
  if (j->what == op_job::kind::drain)
    return drain_region(self, std::move(j));
  const auto& mine = s.svc->options;
  if (j->what == op_job::kind::enqueue && j->node.empty()) {
    // A serving node of the region stores it (this one if it can), and the
    // id names that node so that any node of the cluster reaches the task.
    const bool self_ok = j->region == mine.region && s.members->self_serves();
    const auto* target = self_ok ? nullptr : choose_node(self, j->region);
    if (target)
      j->node = target->node;
    else if (j->region == mine.region)
      j->node = mine.node;
    if (!j->node.empty())
      j->request.id = nc::make_home_id(j->node, j->request.id);
  }
  const bool here = j->node.empty() ? j->region == mine.region : j->node == mine.node;
  if (here) {
    switch (j->what) {
    case op_job::kind::enqueue:
      return local.enqueue(std::move(j->request), std::move(j->done));
    case op_job::kind::get:
      return local.get_task(std::move(j->id), std::move(j->done));
    case op_job::kind::cancel:
      return local.cancel_task(std::move(j->id), std::move(j->done));
    case op_job::kind::retry:
      return local.retry_task(std::move(j->id), std::move(j->done));
    case op_job::kind::drain: // drain_region() took it above
      break;
    }
  }
  // Durable tasks live on their home even when it is drained.
  std::string target;
  caf::actor handle;
  if (!j->node.empty()) {
    auto it = s.peers.find(j->node);
    if (it != s.peers.end() && it->second.handle) {
      target = j->node;
      handle = it->second.handle;
    }
  } else if (auto* node = choose_node(self, j->region, j->what != op_job::kind::enqueue)) {
    target = node->node;
    handle = s.peers[node->node].handle;
  }
  if (!handle) {
    auto where =
        j->node.empty() ? "region " + j->region : "node " + j->node + " (region " + j->region + ")";
    return j->done(fail(errc::unavailable,
                        where + " is down; its tasks are reachable again when it is back",
                        {{"region", j->region}, {"node", j->node}}));
  }
  auto token = s.next_token++;
  s.ops.emplace(token, pending_op{j, target});
  auto on_answer = [self, token](wire_result& w) {
    auto it = self->state.ops.find(token);
    if (it == self->state.ops.end())
      return;
    auto o = std::move(it->second);
    self->state.ops.erase(it);
    o.job->done(value_of(w));
  };
  auto on_error = [self, token](caf::error& e) {
    auto it = self->state.ops.find(token);
    if (it == self->state.ops.end())
      return;
    auto o = std::move(it->second);
    self->state.ops.erase(it);
    o.job->done(fail(errc::unavailable,
                     "region " + o.job->region + " did not answer: " + caf::to_string(e),
                     {{"region", o.job->region}}));
  };
  auto timeout = s.svc->options.down_after * 4;
  switch (j->what) {
  case op_job::kind::enqueue:
    self->request(handle, timeout, enq_atom::value, to_wire(j->request)).then(on_answer, on_error);
    break;
  default: // get, cancel, retry (drains went to drain_region() above)
    self->request(handle, timeout, op_atom::value, static_cast<std::uint8_t>(j->what), j->id)
        .then(on_answer, on_error);
    break;
  }
}

// Serves a peer's request on this node: `start` gets a callback that must be
// called once with the answer.
template <class Start>
caf::response_promise serve(link_actor* self, Start start,
                            std::chrono::milliseconds expire = std::chrono::milliseconds{0}) {
  auto rp = self->make_response_promise();
  auto token = self->state.next_token++;
  self->state.serving.emplace(token, rp);
  if (expire.count() > 0)
    self->delayed_send(self, expire, sexp_atom::value, token);
  auto me = caf::actor_cast<caf::actor>(self);
  start([me, token](wire_result w) { caf::anon_send(me, ldone_atom::value, token, std::move(w)); });
  return rp;
}

// The peers a message or question goes to now: linked and up or suspect.
std::vector<std::pair<std::string, caf::actor>> live_peers(link_actor* self) {
  std::vector<std::pair<std::string, caf::actor>> out;
  for (const auto& [node, p] : self->state.peers) {
    if (!p.handle)
      continue;
    const auto* info = self->state.members->find(node);
    if (info && (info->state == nc::peer_state::up || info->state == nc::peer_state::suspect))
      out.emplace_back(node, p.handle);
  }
  return out;
}

void send_outgoing(link_actor* self, const outgoing_msg& m) {
  wire_peer_msg w{m.topic, self->state.svc->options.node, m.payload, 0};
  if (m.node.empty()) {
    for (auto& [node, handle] : live_peers(self))
      self->send(handle, pmsg_atom::value, w);
    return;
  }
  auto it = self->state.peers.find(m.node);
  // A peer that is down loses the message (best effort: no queue for later).
  if (it != self->state.peers.end() && it->second.handle)
    self->send(it->second.handle, pmsg_atom::value, std::move(w));
}

void start_gather(link_actor* self, gather_job& j) {
  auto& s = self->state;
  std::vector<std::string> all;
  for (const auto& [node, p] : s.peers)
    all.push_back(node);
  auto asked = live_peers(self);
  std::vector<std::string> names;
  for (auto& [node, handle] : asked)
    names.push_back(node);
  auto token = s.next_token++;
  auto& g = s.gathers[token];
  g.round = std::make_unique<nc::gather_round>(all, names, "down");
  g.done = std::exchange(j.done, nullptr);
  wire_peer_msg w{j.topic, s.svc->options.node, j.question,
                  static_cast<std::uint32_t>(j.timeout.count())};
  for (auto& [node, handle] : asked) {
    auto n = node;
    self->request(handle, j.timeout, ask_atom::value, w)
        .then(
            [self, token, n](wire_result& r) {
              auto it = self->state.gathers.find(token);
              if (it == self->state.gathers.end())
                return;
              if (!r.ok)
                it->second.round->fail(n, r.detail.empty() ? "failed" : r.detail);
              else if (r.value.size() > nzl::cluster::max_peer_answer_bytes)
                it->second.round->fail(n, "answer too large");
              else
                it->second.round->answer(n, std::move(r.value));
              finish_gather_if_complete(self, token);
            },
            [self, token, n](caf::error& e) {
              auto it = self->state.gathers.find(token);
              if (it == self->state.gathers.end())
                return;
              it->second.round->fail(n, e == caf::sec::request_timeout ? "timed out"
                                                                       : caf::to_string(e));
              finish_gather_if_complete(self, token);
            });
  }
  // The round's own end, in case an answer is lost without an error.
  self->delayed_send(self, j.timeout + std::chrono::milliseconds(100), gend_atom::value, token);
  finish_gather_if_complete(self, token);
}

caf::behavior link_behavior(link_actor* self, cluster_service::impl* svc) {
  auto& s = self->state;
  s.svc = svc;
  s.members = std::make_unique<nc::membership>(svc->initial_membership());
  std::uint64_t seed = std::hash<std::string>{}(svc->options.node);
  for (const auto& p : svc->options.peers) {
    peer_link l;
    l.info = p;
    l.dialer = svc->options.node < p.node;
    l.retry = nc::backoff{svc->options.reconnect_base, svc->options.reconnect_cap, seed++};
    s.peers.emplace(p.node, std::move(l));
  }
  self->set_down_handler([self](caf::down_msg& msg) {
    for (auto& [node, p] : self->state.peers)
      if (p.handle && p.handle.address() == msg.source) {
        auto n = node;
        lose_peer(self, n, "link lost: " + caf::to_string(msg.reason));
        return;
      }
  });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& st = self->state;
    for (auto& [node, p] : st.peers)
      if (p.prober)
        self->send_exit(p.prober, msg.reason);
    for (auto& [token, f] : st.forwards)
      f.job->done(outcome_of(f.job->request,
                             fail(errc::unavailable, "the node shut down before the task ran"),
                             f.region));
    st.forwards.clear();
    for (auto& [token, o] : st.ops)
      o.job->done(fail(errc::unavailable, "the node shut down"));
    st.ops.clear();
    for (auto& [token, g] : st.gathers)
      g.done(g.round->finish("this node shut down"));
    st.gathers.clear();
    for (auto& [token, rp] : st.serving)
      rp.deliver(to_wire(error{errc::unavailable, "the node shut down", json::object()}, {}));
    st.serving.clear();
    self->quit(msg.reason);
  });
  for (auto& [node, p] : s.peers)
    if (p.dialer)
      self->send(self, dial_atom::value, node);
  self->send(self, tick_atom::value);
  publish(self);
  return {
      [self](dial_atom, const std::string& node) {
        auto it = self->state.peers.find(node);
        if (it != self->state.peers.end())
          it->second.dialing = true;
        dial(self, node);
      },
      [self](tick_atom) {
        auto& st = self->state;
        auto now = nc::clock::now();
        for (auto& t : st.members->tick(now)) {
          log_transition(t, "heartbeat silence");
          if (t.to == nc::peer_state::down)
            lose_peer(self, t.node, "no heartbeat");
        }
        auto hb = self_wire_load(self);
        for (auto& [node, p] : st.peers) {
          if (!p.handle)
            continue;
          auto sent = nc::clock::now();
          auto n = node;
          self->request(p.handle, st.svc->options.down_after, hb_atom::value, hb)
              .then(
                  [self, n, sent](const wire_load& l) {
                    auto rtt = std::chrono::duration<double, std::milli>(nc::clock::now() - sent);
                    auto t =
                        self->state.members->heard(n, nc::clock::now(), load_of(l), rtt.count());
                    log_transition(t, "heartbeat");
                    // At once, not with the next tick: GET /v3/cluster showed
                    // last_heartbeat_ms_ago up to two intervals old.
                    publish(self);
                  },
                  [self, n](caf::error& e) {
                    // Silence is judged by tick(); one lost answer is not news.
                    // A peer that lost its half of the link is: say hello again.
                    auto i = self->state.peers.find(n);
                    if (e == not_linked_error() && i != self->state.peers.end() && i->second.handle)
                      lose_peer(self, n, "the peer holds no link to this node");
                  });
        }
        publish(self);
        self->delayed_send(self, st.svc->options.heartbeat, tick_atom::value);
      },
      [self](hello_atom, const wire_hello& h, caf::actor sender) {
        auto why = refusal(self, h);
        auto mine = my_hello(self);
        if (!why.empty()) {
          log::emit(log::level::error, "cluster_peer_refused", R"("node":{},"detail":{})",
                    log::quote(h.node), log::quote(why));
          if (h.version != protocol_version || h.cluster != self->state.svc->options.cluster_name)
            log_transition(self->state.members->refused(h.node, why), why);
          mine.accepted = false;
          mine.why = why;
          return caf::make_message(hello_atom::value, std::move(mine));
        }
        adopt(self, h.node, std::move(sender));
        return caf::make_message(hello_atom::value, std::move(mine));
      },
      [self](hb_atom, const wire_load& l) -> caf::result<wire_load> {
        // Heard from a node this one cannot send to (it was declared down and
        // only the other side still holds the link): the peer relinks rather
        // than being counted up but unreachable.
        auto it = self->state.peers.find(l.node);
        if (it == self->state.peers.end() || !it->second.handle)
          return not_linked_error();
        log_transition(self->state.members->heard(l.node, nc::clock::now(), load_of(l)),
                       "heartbeat");
        publish(self);
        return self_wire_load(self);
      },
      [self](fwd_atom, const wire_task& w, std::uint64_t token, bool wants_progress) {
        auto origin = caf::actor_cast<caf::actor>(self->current_sender());
        remote_run_key key{caf::actor_cast<caf::actor_addr>(self->current_sender()), token};
        return serve(self, [self, w, origin, key, wants_progress](auto reply) {
          auto r = from_wire(w);
          auto me = caf::actor_cast<caf::actor>(self);
          if (wants_progress && origin)
            r.on_progress = progress_to(me, origin, key.second);
          self->state.remote_runs[key] = r.cancel;
          self->state.svc->run_local(std::move(r), [reply, me, key](task_outcome o) {
            caf::anon_send(me, fdone_atom::value, key.first, key.second);
            reply(to_wire(std::move(o.value), o.region, o.duration_ms));
          });
        });
      },
      [self](fcancel_atom, std::uint64_t token) {
        auto key = remote_run_key{caf::actor_cast<caf::actor_addr>(self->current_sender()), token};
        if (auto it = self->state.remote_runs.find(key); it != self->state.remote_runs.end())
          it->second->cancel();
      },
      [self](fdone_atom, const caf::actor_addr& origin, std::uint64_t token) {
        self->state.remote_runs.erase(remote_run_key{origin, token});
      },
      [self](fprog_atom, std::uint64_t token, std::int32_t percent, const std::string& stage) {
        // Only the node the task went to may report on it.
        auto it = self->state.forwards.find(token);
        if (it == self->state.forwards.end())
          return;
        auto p = self->state.peers.find(it->second.node);
        const auto& sender = self->current_sender();
        if (p == self->state.peers.end() || !p->second.handle || !sender ||
            p->second.handle.address() != sender->address())
          return;
        if (auto& progress = it->second.job->request.on_progress)
          progress(std::clamp(percent, 0, 100), std::string_view{stage}.substr(0, 128));
      },
      [self](fpoll_atom) { poll_cancels(self); },
      [self](idjob_atom, const idem_job_ptr& j) { route_idem(self, j); },
      [self](idtrack_atom, const std::string& key, const std::string& node) {
        self->state.idem_held[key] = node;
      },
      [self](idb_atom, const std::string& key, const std::string& fingerprint) {
        auto origin = node_of_sender(self);
        return serve(self, [self, key, fingerprint, origin](auto reply) {
          auto region = self->state.svc->options.region;
          if (origin.empty())
            return reply(to_wire(fail(errc::unavailable, "not a linked peer"), region));
          auto me = caf::actor_cast<caf::actor>(self);
          self->state.svc->local.idempotency_begin(
              key, fingerprint,
              [reply, me, key, origin, region](net::task_service::idempotency_verdict v,
                                               net::http_response r) {
                // Held for `origin` until it finishes (or is lost); recorded
                // before the answer leaves, so before its finish arrives.
                if (v == net::task_service::idempotency_verdict::proceed)
                  caf::anon_send(me, idtrack_atom::value, key, origin);
                json doc{{"verdict", verdict_name(v)}};
                if (v == net::task_service::idempotency_verdict::replay)
                  doc["response"] = net::response_to_json(r);
                wire_result w;
                w.ok = true;
                w.value = doc.dump(-1, ' ', false, json::error_handler_t::replace);
                w.region = region;
                reply(std::move(w));
              });
        });
      },
      [self](idf_atom, const std::string& key, bool has_response, const std::string& response) {
        auto origin = node_of_sender(self);
        auto& held = self->state.idem_held;
        auto it = held.find(key);
        const bool holder = it != held.end() && !origin.empty() && it->second == origin;
        if (holder)
          held.erase(it);
        return serve(self, [self, key, has_response, response, holder](auto reply) {
          auto region = self->state.svc->options.region;
          auto ok = [reply, region] {
            reply(to_wire(result<json>{json::object()}, region));
          };
          // Only the peer that holds the key finishes it (a key released
          // when that peer was lost stays released).
          if (!holder)
            return ok();
          std::optional<net::http_response> r;
          if (has_response)
            r = net::response_from_json(json::parse(response, nullptr, false));
          self->state.svc->local.idempotency_finish(key, std::move(r), ok);
        });
      },
      [self](enq_atom, const wire_task& w) {
        return serve(self, [self, w](auto reply) {
          auto region = self->state.svc->options.region;
          self->state.svc->local.enqueue(from_wire(w), [reply, region](result<json> v) {
            reply(to_wire(std::move(v), region));
          });
        });
      },
      [self](op_atom, std::uint8_t op, const std::string& id) {
        return serve(self, [self, op, id](auto reply) {
          auto region = self->state.svc->options.region;
          auto answer = [reply, region](result<json> v) {
            reply(to_wire(std::move(v), region));
          };
          auto& local = self->state.svc->local;
          switch (static_cast<task_op>(op)) {
          case task_op::get:
            return local.get_task(id, answer);
          case task_op::cancel:
            return local.cancel_task(id, answer);
          case task_op::retry:
            return local.retry_task(id, answer);
          }
          answer(fail(errc::invalid_field, "unknown task operation"));
        });
      },
      [self](drain_atom, const wire_drain& d) {
        // The node that took the operator's request fans it out; each node
        // of the region drains itself only.
        return to_wire(result<json>{drain_here(self, d)}, self->state.svc->options.region);
      },
      [self](ldone_atom, std::uint64_t token, wire_result& w) {
        auto it = self->state.serving.find(token);
        if (it == self->state.serving.end())
          return;
        it->second.deliver(std::move(w));
        self->state.serving.erase(it);
      },
      [self](reg_atom, const topic_handlers_ptr& h) {
        auto& t = self->state.topics[h->topic];
        t.topic = h->topic;
        if (h->on_message)
          t.on_message = h->on_message;
        if (h->on_question)
          t.on_question = h->on_question;
      },
      [self](out_atom, const outgoing_ptr& m) { send_outgoing(self, *m); },
      [self](gather_atom, const gather_job_ptr& j) { start_gather(self, *j); },
      [self](gend_atom, std::uint64_t token) {
        auto it = self->state.gathers.find(token);
        if (it == self->state.gathers.end())
          return;
        auto g = std::move(it->second);
        self->state.gathers.erase(it);
        g.done(g.round->finish("timed out"));
      },
      [self](pmsg_atom, const wire_peer_msg& m) {
        // Only from peers we linked with (the hello checked them).
        auto p = self->state.peers.find(m.from);
        if (p == self->state.peers.end() || !p->second.handle)
          return;
        auto t = self->state.topics.find(m.topic);
        if (t == self->state.topics.end() || !t->second.on_message)
          return;
        t->second.on_message(m.from, m.payload);
      },
      [self](ask_atom, const wire_peer_msg& m) {
        auto t = self->state.topics.find(m.topic);
        auto known = self->state.peers.count(m.from) > 0;
        nzl::cluster::peer_messaging::question_handler h;
        if (known && t != self->state.topics.end())
          h = t->second.on_question;
        auto expire = std::chrono::milliseconds(std::min<std::uint32_t>(m.timeout_ms, 600'000)) +
                      std::chrono::seconds(1);
        return serve(
            self,
            [h, m](auto reply) {
              if (!h)
                return reply(
                    to_wire(error{errc::not_found, "no handler for topic '" + m.topic + "'",
                                  json::object()},
                            {}));
              h(m.from, m.payload, [reply](result<std::string> answer) {
                if (!answer)
                  return reply(to_wire(answer.err(), {}));
                if (answer->size() > nzl::cluster::max_peer_answer_bytes)
                  return reply(to_wire(
                      error{errc::payload_too_large, "answer too large", json::object()}, {}));
                wire_result w;
                w.ok = true;
                w.value = std::move(*answer);
                reply(std::move(w));
              });
            },
            expire);
      },
      [self](sexp_atom, std::uint64_t token) {
        // A question handler that never answered: free its promise.
        auto it = self->state.serving.find(token);
        if (it == self->state.serving.end())
          return;
        it->second.deliver(
            to_wire(error{errc::unavailable, "no answer in time", json::object()}, {}));
        self->state.serving.erase(it);
      },
      [self](job_atom, fwd_job_ptr& j) { route_fwd(self, std::move(j)); },
      [self](opjob_atom, op_job_ptr& j) { route_op(self, std::move(j)); },
      [self](mbox_atom, const mailbox_probe_ptr& p) {
        p->run(nzl::actors::internal::mailbox_size(self));
      },
  };
}

} // namespace

cluster_service::cluster_service(cluster_options options, net::task_service& local)
    : impl_(std::make_shared<impl>(std::move(options), local)) {}

cluster_service::~cluster_service() {
  stop();
}

result<std::uint16_t> cluster_service::start() {
  auto& d = *impl_;
  const auto& tls = d.options.tls;
  if (!tls.cert_file.empty() || !tls.key_file.empty() || !tls.ca_file.empty()) {
    // caf::openssl without a certificate silently runs unauthenticated:
    // refuse a half-configured TLS cluster instead.
    for (const auto* f : {&tls.cert_file, &tls.key_file, &tls.ca_file}) {
      std::error_code ec;
      if (f->empty() || !std::filesystem::is_regular_file(*f, ec))
        return fail(errc::invalid_field,
                    "cluster TLS needs a certificate, a key and the cluster CA as readable "
                    "files; missing or unreadable: '" +
                        *f + "'");
    }
  }
  {
    std::lock_guard guard{d.link_mutex};
    d.link = d.system.spawn(link_behavior, &d);
    // Handlers registered before start reach the actor before any peer can.
    for (auto& h : d.pending_topics)
      caf::anon_send(d.link, reg_atom::value, std::move(h));
    d.pending_topics.clear();
  }
  auto published = tls.enabled()
                       ? caf::openssl::publish(d.link, d.options.listen_port,
                                               d.options.listen_host.c_str(), true)
                       : d.system.middleman().publish(d.link, d.options.listen_port,
                                                      d.options.listen_host.c_str(), true);
  if (!published) {
    caf::anon_send_exit(d.link, caf::exit_reason::user_shutdown);
    return fail(errc::invalid_field, "cluster: cannot listen on " + d.options.listen_host + ":" +
                                         std::to_string(d.options.listen_port) + ": " +
                                         d.system.render(published.error()));
  }
  d.port = *published;
  log::emit(log::level::info, "cluster_listening",
            R"("node":{},"region":{},"address":"{}:{}","tls":{},"peers":{},"protocol":{})",
            log::quote(d.options.node), log::quote(d.options.region), d.options.listen_host, d.port,
            tls.enabled() ? "true" : "false", d.options.peers.size(), protocol_version);
  return d.port;
}

void cluster_service::probe_actors(probe_done done) {
  auto& d = *impl_;
  caf::actor link;
  {
    std::lock_guard guard{d.link_mutex};
    link = d.link;
  }
  if (!link)
    return done({});
  caf::anon_send(link, mbox_atom::value,
                 std::make_shared<mailbox_probe>("cluster_link", std::move(done)));
}

void cluster_service::stop() {
  auto& d = *impl_;
  std::lock_guard guard{d.link_mutex};
  if (d.link) {
    caf::anon_send_exit(d.link, caf::exit_reason::user_shutdown);
    d.link = nullptr;
  }
}

namespace {

void register_topic(cluster_service::impl& d, topic_handlers_ptr h) {
  std::lock_guard guard{d.link_mutex};
  if (d.link)
    caf::anon_send(d.link, reg_atom::value, std::move(h));
  else
    d.pending_topics.push_back(std::move(h));
}

result<bool> check_message(const cluster_service::impl& d, std::string_view node,
                           std::string_view topic, std::size_t size) {
  if (!nc::valid_topic(topic))
    return fail(errc::invalid_field, "a peer message topic is 1-64 characters");
  if (size > nc::max_peer_message_bytes)
    return fail(errc::invalid_field, "a peer message is at most " +
                                         std::to_string(nc::max_peer_message_bytes) + " bytes");
  if (!node.empty()) {
    bool known = false;
    for (const auto& p : d.options.peers)
      known = known || p.node == node;
    if (!known)
      return fail(errc::invalid_field, "no peer named '" + std::string{node} + "'");
  }
  return true;
}

} // namespace

void cluster_service::on_message(std::string topic, message_handler handler) {
  auto h = std::make_shared<topic_handlers>();
  h->topic = std::move(topic);
  h->on_message = std::move(handler);
  register_topic(*impl_, std::move(h));
}

void cluster_service::on_question(std::string topic, question_handler handler) {
  auto h = std::make_shared<topic_handlers>();
  h->topic = std::move(topic);
  h->on_question = std::move(handler);
  register_topic(*impl_, std::move(h));
}

result<bool> cluster_service::send(std::string_view node, std::string_view topic,
                                   std::string payload) {
  if (node.empty())
    return fail(errc::invalid_field, "send needs a node");
  auto ok = check_message(*impl_, node, topic, payload.size());
  if (!ok)
    return ok;
  auto link = impl_->link_handle();
  if (!link)
    return false;
  auto m = std::make_shared<outgoing_msg>(
      outgoing_msg{std::string{node}, std::string{topic}, std::move(payload)});
  caf::anon_send(link, out_atom::value, std::move(m));
  return true;
}

result<bool> cluster_service::broadcast(std::string_view topic, std::string payload) {
  auto ok = check_message(*impl_, {}, topic, payload.size());
  if (!ok)
    return ok;
  auto link = impl_->link_handle();
  if (!link)
    return false;
  auto m = std::make_shared<outgoing_msg>(outgoing_msg{{}, std::string{topic}, std::move(payload)});
  caf::anon_send(link, out_atom::value, std::move(m));
  return true;
}

void cluster_service::gather(std::string_view topic, std::string question,
                             std::chrono::milliseconds timeout, gather_handler done) {
  auto& d = *impl_;
  auto everyone_missing = [&](const std::string& why) {
    nc::gathered g;
    for (const auto& p : d.options.peers)
      g.missing.push_back(nc::missing_node{p.node, why});
    done(std::move(g));
  };
  if (auto ok = check_message(d, {}, topic, question.size()); !ok)
    return everyone_missing(ok.err().detail);
  auto link = d.link_handle();
  if (!link)
    return everyone_missing("the cluster is not running");
  // Bounded: a gather never waits longer than a minute.
  timeout = std::clamp(timeout, std::chrono::milliseconds{1}, std::chrono::milliseconds{60'000});
  auto j = std::make_shared<gather_job>();
  j->topic = std::string{topic};
  j->question = std::move(question);
  j->timeout = timeout;
  j->done = std::move(done);
  for (const auto& p : d.options.peers)
    j->peers.push_back(p.node);
  caf::anon_send(link, gather_atom::value, std::move(j));
}

std::string cluster_service::self_node() const {
  return impl_->options.node;
}

std::vector<std::string> cluster_service::nodes() const {
  std::vector<std::string> out{impl_->options.node};
  for (const auto& p : impl_->options.peers)
    out.push_back(p.node);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> cluster_service::live_nodes() const {
  auto m = impl_->view();
  std::vector<std::string> out{impl_->options.node};
  for (const auto& p : m->peers())
    if (p.state == nc::peer_state::up || p.state == nc::peer_state::suspect)
      out.push_back(p.node);
  std::sort(out.begin(), out.end());
  return out;
}

std::uint16_t cluster_service::port() const noexcept {
  return impl_->port;
}

json cluster_service::status() const {
  auto m = impl_->view();
  const auto& o = impl_->options;
  auto now = nc::clock::now();
  json regions = json::array();
  for (const auto& r : o.routing.regions()) {
    json nodes = json::array();
    bool drained_all = true;
    if (r == o.region) {
      const auto& l = m->self_load();
      drained_all = drained_all && l.drained;
      nodes.push_back(json{
          {"node", o.node},
          {"self", true},
          {"state", "up"},
          {"drained", l.drained},
          {"redirect", l.redirect},
          {"last_heartbeat_ms_ago", 0},
          {"rtt_ms", 0},
          {"served", impl_->served.load(std::memory_order_relaxed)},
          {"load",
           {{"in_flight", l.in_flight}, {"queue_depth", l.queue_depth}, {"p95_ms", l.p95_ms}}}});
    }
    for (const auto& p : m->peers()) {
      if (p.region != r)
        continue;
      drained_all = drained_all && p.load.drained;
      json n{{"node", p.node},
             {"self", false},
             {"state", nc::to_string(p.state)},
             {"drained", p.load.drained},
             {"redirect", p.load.redirect},
             {"rtt_ms", p.rtt_ms},
             {"weight", p.weight},
             {"load",
              {{"in_flight", p.load.in_flight},
               {"queue_depth", p.load.queue_depth},
               {"p95_ms", p.load.p95_ms}}}};
      if (p.last_heard != nc::time_point{})
        n["last_heartbeat_ms_ago"] =
            std::chrono::duration_cast<std::chrono::milliseconds>(now - p.last_heard).count();
      else
        n["last_heartbeat_ms_ago"] = nullptr;
      if (!p.detail.empty())
        n["detail"] = p.detail;
      nodes.push_back(std::move(n));
    }
    std::string state = !m->region_up(r)
                            ? "down"
                            : (m->region_serving(r) ? "up" : (drained_all ? "drained" : "up"));
    regions.push_back(json{{"name", r}, {"state", state}, {"nodes", std::move(nodes)}});
  }
  return json{{"cluster", o.cluster_name},
              {"node", o.node},
              {"region", o.region},
              {"protocol_version", protocol_version},
              {"balancing", nc::to_string(o.balancing)},
              {"tls", o.tls.enabled()},
              {"regions", std::move(regions)}};
}

void cluster_service::failover(std::string from, std::string to, json_handler done) {
  auto& d = *impl_;
  if (!d.options.routing.has_region(from))
    return done(fail(errc::invalid_field, "no region named '" + from + "'", {{"field", "from"}}));
  if (!to.empty() && !d.options.routing.has_region(to))
    return done(fail(errc::invalid_field, "no region named '" + to + "'", {{"field", "to"}}));
  if (to == from)
    return done(
        fail(errc::invalid_field, "'to' must name another region than 'from'", {{"field", "to"}}));
  auto j = std::make_shared<op_job>();
  j->what = op_job::kind::drain;
  j->region = std::move(from);
  j->drain = wire_drain{true, std::move(to)};
  j->done = std::move(done);
  caf::anon_send(d.link, opjob_atom::value, std::move(j));
}

void cluster_service::failback(std::string region, json_handler done) {
  auto& d = *impl_;
  if (!d.options.routing.has_region(region))
    return done(
        fail(errc::invalid_field, "no region named '" + region + "'", {{"field", "region"}}));
  auto j = std::make_shared<op_job>();
  j->what = op_job::kind::drain;
  j->region = std::move(region);
  j->drain = wire_drain{false, {}};
  j->done = std::move(done);
  caf::anon_send(d.link, opjob_atom::value, std::move(j));
}

void cluster_service::run(task_request request, outcome_handler done) {
  auto& d = *impl_;
  auto route = route_of(request);
  if (!route)
    return done(outcome_of(request, std::move(route).err(), d.options.region));
  auto view = d.view();
  auto region = pick_region(*view, d.options.routing, *route);
  if (!region)
    return done(outcome_of(request, std::move(region).err(), d.options.region));
  if (*region == d.options.region && view->self_serves())
    return d.run_local(std::move(request), std::move(done));
  auto j = std::make_shared<fwd_job>();
  j->idempotent = d.options.idempotent && d.options.idempotent(request);
  j->request = std::move(request);
  j->done = std::move(done);
  j->route = std::move(*route);
  caf::anon_send(d.link, job_atom::value, std::move(j));
}

void cluster_service::run_batch(std::vector<task_request> requests, batch_handler done) {
  // Tasks of a batch route one by one (each may pin a region); outcomes come
  // back in request order.
  struct collector {
    std::mutex mutex; // guards outcomes and left
    std::vector<task_outcome> outcomes;
    std::size_t left;
    batch_handler done;
  };
  auto c = std::make_shared<collector>();
  c->outcomes.resize(requests.size());
  c->left = requests.size();
  c->done = std::move(done);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    run(std::move(requests[i]), [c, i](task_outcome o) {
      batch_handler finish;
      {
        std::lock_guard guard{c->mutex};
        c->outcomes[i] = std::move(o);
        if (--c->left == 0)
          finish = std::move(c->done);
      }
      if (finish)
        finish(std::move(c->outcomes));
    });
  }
}

void cluster_service::enqueue(task_request request, json_handler done) {
  auto& d = *impl_;
  auto route = route_of(request);
  if (!route)
    return done(std::move(route).err());
  auto view = d.view();
  auto region = pick_region(*view, d.options.routing, *route);
  if (!region)
    return done(std::move(region).err());
  if (*region == d.options.region && view->self_serves()) {
    request.id = nc::make_home_id(d.options.node, request.id);
    return d.local.enqueue(std::move(request), std::move(done));
  }
  auto j = std::make_shared<op_job>();
  j->what = op_job::kind::enqueue;
  j->region = std::move(*region);
  j->request = std::move(request);
  j->done = std::move(done);
  caf::anon_send(d.link, opjob_atom::value, std::move(j));
}

namespace {

void task_op_at_home(cluster_service::impl& d, op_job::kind what, std::string id,
                     net::task_service::json_handler done) {
  // The id names the home node ("<node>.<uuid>"); ids made before nodes
  // were named, and single-node regions, name the region, which is the same.
  auto home = std::string{nc::home_of(id)};
  std::string home_node;
  std::string home_region = home;
  for (const auto& p : d.options.peers)
    if (p.node == home) {
      home_node = p.node;
      home_region = p.region;
    }
  if (home.empty() || home == d.options.node ||
      (home_node.empty() && (home == d.options.region || !d.options.routing.has_region(home)))) {
    switch (what) {
    case op_job::kind::get:
      return d.local.get_task(std::move(id), std::move(done));
    case op_job::kind::cancel:
      return d.local.cancel_task(std::move(id), std::move(done));
    default:
      return d.local.retry_task(std::move(id), std::move(done));
    }
  }
  auto j = std::make_shared<op_job>();
  j->what = what;
  j->region = std::move(home_region);
  j->node = std::move(home_node);
  j->id = std::move(id);
  j->done = std::move(done);
  caf::anon_send(d.link, opjob_atom::value, std::move(j));
}

} // namespace

void cluster_service::get_task(std::string id, json_handler done) {
  task_op_at_home(*impl_, op_job::kind::get, std::move(id), std::move(done));
}

void cluster_service::cancel_task(std::string id, json_handler done) {
  task_op_at_home(*impl_, op_job::kind::cancel, std::move(id), std::move(done));
}

void cluster_service::retry_task(std::string id, json_handler done) {
  task_op_at_home(*impl_, op_job::kind::retry, std::move(id), std::move(done));
}

void cluster_service::queue_stats(std::string name, json_handler done) {
  impl_->local.queue_stats(std::move(name), std::move(done));
}

void cluster_service::idempotency_begin(std::string key, std::string fingerprint,
                                        idempotency_handler done) {
  auto& d = *impl_;
  auto link = d.link_handle();
  // A key this node keeps is decided here, without the link actor; the link
  // actor decides again for the rest, on its own (newer) view.
  auto view = d.view();
  if (!link || !view || nc::key_owner(key, keeper_candidates(*view)) == d.options.node)
    return d.local.idempotency_begin(std::move(key), std::move(fingerprint), std::move(done));
  auto j = std::make_shared<idem_job>();
  j->key = std::move(key);
  j->fingerprint = std::move(fingerprint);
  j->on_verdict = std::move(done);
  caf::anon_send(link, idjob_atom::value, std::move(j));
}

void cluster_service::idempotency_finish(std::string key,
                                         std::optional<net::http_response> response,
                                         std::function<void()> done) {
  auto& d = *impl_;
  std::string owner;
  {
    std::lock_guard guard{d.idem_mutex};
    if (auto it = d.idem_owners.find(key); it != d.idem_owners.end()) {
      owner = std::move(it->second);
      d.idem_owners.erase(it);
    }
  }
  auto link = d.link_handle();
  if (owner.empty() || !link)
    return d.local.idempotency_finish(std::move(key), std::move(response), std::move(done));
  auto j = std::make_shared<idem_job>();
  j->finish = true;
  j->key = std::move(key);
  j->response = std::move(response);
  j->owner = std::move(owner);
  j->on_finished = std::move(done);
  caf::anon_send(link, idjob_atom::value, std::move(j));
}

bool cluster_service::ready() const noexcept {
  return impl_->local.ready();
}

std::string_view cluster_service::region() const noexcept {
  return impl_->local.region();
}

} // namespace nzl::actors::cluster
