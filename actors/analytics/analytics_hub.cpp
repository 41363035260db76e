// The analytics actor (issue 11).
//
// Model: io threads, executors and WebSocket sessions call `record`, which
// interns three names (lock-free tables) and copies a 32-byte sample into the
// calling thread's ring (analytics/recorder.hpp): no lock, no allocation.
// One actor, alone in a one-thread actor system, owns the aggregator and the
// alert engine: it drains the rings on a timer, evaluates the alert rules,
// and answers the read endpoints by running their closures on its own state
// (a `call` message carries a closure; process-local only). Queries parse
// their parameters on the calling thread, so the actor only computes.
//
// Invariants: only the actor touches the aggregator and the alert engine;
// every `view` answers exactly once (a call that never runs, because the
// actor stopped, answers `unavailable` from its destructor).
//
// Alerts: each fired or resolved event is logged, published on the `alerts`
// WebSocket channel (when the node has one), POSTed to the webhook (when
// configured, signed the Standard Webhooks way like task webhooks, one
// attempt), and kept in a bounded list that `GET /v3/analytics/alerts`
// serves with sequence numbers (`?since=N` for pollers).
//
// Cluster scope: `scope=cluster` snapshots this node's series on the actor,
// asks every peer (peer_messaging::gather, topic `analytics.series`, with a
// timeout) for its export of the same window, and merges the histograms and
// counters on the actor (mergeable: percentiles come from the merged
// histograms, never from averaging). Peers that are down, time out or send
// an unreadable export are listed in `missing`. A peer's question runs on
// our actor too. The cluster holds our handler beyond our lifetime, so it
// reaches us through a `gate` that stop() closes.
//
// A crash loses everything here: analytics are not durable.

#include "actors/analytics/analytics_hub.hpp"

#include "actors/internal/mailbox_size.hpp"
#include "analytics/aggregator.hpp"
#include "analytics/name_table.hpp"
#include "analytics/recorder.hpp"
#include "analytics/report.hpp"
#include "analytics/sliding_window.hpp"
#include "analytics/summary.hpp"
#include "cluster/peer_messaging.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "net/outbound/http_client.hpp"
#include "net/outbound/webhook_signature.hpp"
#include "net/ws_service.hpp"

#include <caf/all.hpp>

#include <nlohmann/json.hpp>

#include <atomic>
#include <deque>
#include <mutex>

namespace nzl::actors::analytics {

namespace {

namespace an = nzl::analytics;
using nlohmann::json;

// The tables every sample's names are interned into, shared by the hub (hot
// path) and the actor (which resolves ids back to names).
struct shared_core {
  an::recorder rec;
  an::name_table types{1024};
  an::name_table regions{256};
  an::name_table keys{16'384};
};

struct actor_state;
using call_fn = std::function<void(actor_state&)>;

// A closure for the actor; answers `unavailable` if it is dropped unrun.
struct call {
  call_fn fn;
  std::function<void()> on_drop;
  bool ran = false;
  ~call() {
    if (!ran && on_drop)
      on_drop();
  }
};
using call_ptr = std::shared_ptr<call>;

} // namespace
} // namespace nzl::actors::analytics

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::analytics::call_ptr)

namespace nzl::actors::analytics {

namespace {

using tick_atom = caf::atom_constant<caf::atom("antick")>;
using call_atom = caf::atom_constant<caf::atom("ancall")>;

struct actor_state {
  std::shared_ptr<shared_core> core;
  const analytics_options* options = nullptr;
  std::unique_ptr<an::aggregator> agg;
  std::unique_ptr<an::alert_engine> alerts;
  std::deque<std::pair<std::uint64_t, json>> recent; // (seq, event)
  std::uint64_t next_seq = 1;
  /// This actor's mailbox size when the current call began (read on its own
  /// thread, for `cloudagent shell actors`).
  std::uint64_t mailbox_now = 0;
  std::int64_t last_alert_ms = 0;
  std::int64_t last_prune_ms = 0;
  std::int64_t last_live_ms = 0;
  static inline const char* name = "analytics";
};

std::int64_t now_of(const analytics_options& o) {
  return o.now_ms ? o.now_ms() : unix_ms_now();
}

void send_webhook(const alert_sinks& sinks, const std::string& node, const std::string& body,
                  std::uint64_t seq) {
  if (sinks.webhook_url.empty() || !sinks.client)
    return;
  net::outbound::outbound_request req;
  req.url = sinks.webhook_url;
  req.timeout_ms = sinks.timeout_ms;
  // Unique across the cluster: receivers deduplicate by webhook-id, and every
  // node numbers its events from 1.
  auto msg_id = "alert_" + node + "_" + std::to_string(seq) + "_" + std::to_string(unix_ms_now());
  auto ts = unix_ms_now() / 1000;
  req.headers = {
      {"Content-Type", "application/json"},
      {"webhook-id", msg_id},
      {"webhook-timestamp", std::to_string(ts)},
      {"webhook-signature", net::outbound::webhook::sign(sinks.secret, msg_id, ts, body)}};
  req.body = body;
  sinks.client->send(std::move(req), [msg_id](result<net::outbound::outbound_response> r) {
    if (!r || r->status < 200 || r->status > 299)
      log::emit(log::level::warn, "alert_webhook_failed", R"("id":{},"status":{},"detail":{})",
                log::quote(msg_id), r ? r->status : 0, log::quote(r ? "" : r.err().detail));
  });
}

void publish(actor_state& st, const an::alert_event& e) {
  auto doc = an::to_json(e);
  auto seq = st.next_seq++;
  doc["seq"] = seq;
  doc["node"] = st.options->node;
  auto text = doc.dump(-1, ' ', false, json::error_handler_t::replace);
  log::emit(e.firing ? log::level::warn : log::level::info, "alert", R"("alert":{})", text);
  if (st.options->sinks.channels)
    st.options->sinks.channels->publish("alerts", text);
  auto body = json{
      {"type", e.firing ? "alert.firing" : "alert.resolved"},
      {"timestamp", rfc3339(unix_ms_now())},
      {"data",
       doc}}.dump(-1, ' ', false, json::error_handler_t::replace);
  send_webhook(st.options->sinks, st.options->node, body, seq);
  st.recent.emplace_back(seq, std::move(doc));
  while (st.recent.size() > st.options->recent_events)
    st.recent.pop_front();
}

// What the dashboard shows, in one document: the `analytics` channel's
// event and the dashboard's polling fallback compute the same figures.
json live_snapshot(const actor_state& st, std::int64_t now) {
  auto total_of = [&](std::int64_t window, an::sample_kind kind) {
    auto q = st.agg->query(window, an::group_none, now, kind);
    auto& groups = q["groups"];
    return groups.empty() ? json::object() : groups[0];
  };
  json firing = json::array();
  for (const auto& e : st.alerts->firing())
    firing.push_back(an::to_json(e));
  // Tasks per 5-s slot over the last 5 minutes, oldest first.
  json timeline = json::array();
  for (const auto& p : st.agg->timeline("", "", 300'000, now, SIZE_MAX, an::sample_kind::task))
    timeline.push_back(p.use.count);
  return json{
      {"timeline_slot_ms", 5'000},
      {"timeline", std::move(timeline)},
      {"node", st.options->node},
      {"generated_at", rfc3339(now)},
      {"tasks_1m", total_of(60'000, an::sample_kind::task)},
      {"http_1m", total_of(60'000, an::sample_kind::http)},
      {"regions_5m",
       st.agg->query(300'000, an::group_region, now, an::sample_kind::task)["groups"]},
      {"types_5m", st.agg->query(300'000, an::group_type | an::group_region, now,
                                 an::sample_kind::task)["groups"]},
      {"firing", std::move(firing)},
  };
}

void tick(actor_state& st) {
  const auto now = now_of(*st.options);
  st.agg->drain(st.core->rec, now);
  auto* channels = st.options->sinks.channels;
  if (channels && now - st.last_live_ms >= st.options->live_interval_ms &&
      channels->subscribers("analytics") > 0) {
    st.last_live_ms = now;
    channels->publish("analytics",
                      live_snapshot(st, now).dump(-1, ' ', false, json::error_handler_t::replace));
  }
  if (now - st.last_alert_ms >= st.options->alert_interval_ms) {
    st.last_alert_ms = now;
    if (!st.alerts->rules().empty()) {
      auto down =
          st.options->regions_down ? st.options->regions_down() : std::vector<std::string>{};
      for (const auto& e : st.alerts->evaluate(*st.agg, down, now))
        publish(st, e);
    }
  }
  if (now - st.last_prune_ms >= 600'000) {
    st.last_prune_ms = now;
    st.agg->prune(now);
  }
}

caf::behavior analytics_actor(caf::stateful_actor<actor_state>* self,
                              std::shared_ptr<shared_core> core, const analytics_options* options) {
  auto& st = self->state;
  st.core = std::move(core);
  st.options = options;
  st.agg = std::make_unique<an::aggregator>(st.core->types, st.core->regions, st.core->keys);
  st.alerts = std::make_unique<an::alert_engine>(options->alerts);
  st.last_prune_ms = now_of(*options);
  const auto interval = std::chrono::milliseconds(options->drain_interval_ms);
  self->delayed_send(self, interval, tick_atom::value);
  return {
      [self, interval](tick_atom) {
        tick(self->state);
        self->delayed_send(self, interval, tick_atom::value);
      },
      [self](call_atom, const call_ptr& c) {
        // Answer with what the rings hold now, not what they held 100 ms ago.
        self->state.agg->drain(self->state.core->rec, now_of(*self->state.options));
        c->ran = true;
        self->state.mailbox_now = nzl::actors::internal::mailbox_size(self);
        c->fn(self->state);
      },
  };
}

// --- query strings -------------------------------------------------------

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out.push_back(' ');
    } else if (in[i] == '%' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 &&
               hex_value(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

constexpr std::size_t max_query_bytes = 2'048;

/// The parameters of a query string; unknown names are refused (a typo
/// should not silently give the default).
result<std::vector<std::pair<std::string, std::string>>>
parse_query(std::string_view q, std::initializer_list<std::string_view> allowed) {
  std::vector<std::pair<std::string, std::string>> out;
  if (q.size() > max_query_bytes)
    return fail(errc::invalid_field, "the query string is too long");
  while (!q.empty()) {
    auto amp = q.find('&');
    auto part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    if (part.empty())
      continue;
    auto eq = part.find('=');
    auto name = percent_decode(part.substr(0, eq));
    auto value = eq == std::string_view::npos ? std::string{} : percent_decode(part.substr(eq + 1));
    bool known = false;
    for (auto a : allowed)
      known = known || a == name;
    if (!known) {
      std::string list;
      for (auto a : allowed)
        list += (list.empty() ? "" : ", ") + std::string{a};
      return fail(errc::invalid_field,
                  "unknown parameter '" + name.substr(0, 32) + "'; " +
                      (list.empty() ? "this endpoint takes none" : "known: " + list),
                  {{"field", name.substr(0, 32)}});
    }
    // `window=5m&window=1h` is ambiguous: refused rather than guessed.
    for (const auto& [seen, ignored] : out)
      if (seen == name)
        return fail(errc::invalid_field, "parameter '" + name + "' is given twice",
                    {{"field", name}});
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

std::string param(const std::vector<std::pair<std::string, std::string>>& ps, std::string_view name,
                  std::string fallback) {
  for (const auto& [n, v] : ps)
    if (n == name)
      return v;
  return fallback;
}

result<std::int64_t> window_param(const std::vector<std::pair<std::string, std::string>>& ps,
                                  std::string fallback) {
  auto w = an::parse_window(param(ps, "window", std::move(fallback)));
  if (!w)
    return fail(errc::invalid_field, w.err().detail, {{"field", "window"}});
  return *w;
}

net::analytics_answer json_answer(const json& j) {
  return {"application/json", j.dump(-1, ' ', false, json::error_handler_t::replace)};
}

} // namespace

// How the cluster's threads reach the hub: a pointer that stop() clears.
struct hub_gate {
  std::mutex mutex; // guards hub
  analytics_hub::impl* hub = nullptr;
};

constexpr std::string_view series_topic = "analytics.series";

struct analytics_hub::impl {
  explicit impl(analytics_options o) : options(std::move(o)) {}

  analytics_options options;
  std::shared_ptr<hub_gate> gate = std::make_shared<hub_gate>();
  std::shared_ptr<shared_core> core = std::make_shared<shared_core>();
  std::mutex lifecycle; // guards system and actor (start/stop/view)
  std::unique_ptr<caf::actor_system_config> config;
  std::unique_ptr<caf::actor_system> system;
  caf::actor actor;

  void send(call_fn fn, answer_handler done);
};

void analytics_hub::impl::send(call_fn fn, answer_handler done) {
  auto c = std::make_shared<call>();
  c->fn = std::move(fn);
  c->on_drop = [done] {
    done(fail(errc::unavailable, "the analytics are not running"));
  };
  caf::actor target;
  {
    std::lock_guard guard{lifecycle};
    target = actor;
  }
  if (!target)
    return; // c's destructor answers
  caf::anon_send(target, call_atom::value, std::move(c));
}

namespace {

// Runs `fn` on the hub's actor if the hub still runs; else `on_drop`.
void through_gate(const std::shared_ptr<hub_gate>& gate, call_fn fn,
                  std::function<void()> on_drop) {
  std::lock_guard guard{gate->mutex};
  if (!gate->hub) {
    on_drop();
    return;
  }
  auto c = std::make_shared<call>();
  c->fn = std::move(fn);
  c->on_drop = std::move(on_drop);
  caf::actor target;
  {
    std::lock_guard lifecycle{gate->hub->lifecycle};
    target = gate->hub->actor;
  }
  if (target)
    caf::anon_send(target, call_atom::value, std::move(c));
}

// A peer's question: {"window_ms": N}; the answer is export_series' JSON.
void answer_series_question(const std::shared_ptr<hub_gate>& gate, std::string_view question,
                            nzl::cluster::peer_messaging::reply_fn reply) {
  auto q = json::parse(question, nullptr, false);
  auto w = q.is_object() ? q.find("window_ms") : q.end();
  if (!q.is_object() || w == q.end() || !w->is_number_integer() || w->get<std::int64_t>() <= 0 ||
      w->get<std::int64_t>() > 366LL * 24 * 3'600'000)
    return reply(fail(errc::invalid_field, "analytics.series needs window_ms"));
  auto window = w->get<std::int64_t>();
  through_gate(
      gate,
      [reply, window](actor_state& st) {
        reply(st.agg->export_series(window, now_of(*st.options))
                  .dump(-1, ' ', false, json::error_handler_t::replace));
      },
      [reply] { reply(fail(errc::unavailable, "the analytics are not running")); });
}

// The cluster-scope answer from this node's series and the peers' exports.
json merge_cluster(std::vector<an::series_snapshot> all, const std::string& self,
                   const nzl::cluster::gathered& g, std::int64_t window, unsigned group,
                   std::optional<an::sample_kind> kind, std::int64_t now) {
  json nodes = json::array({self});
  json missing = json::array();
  for (const auto& m : g.missing)
    missing.push_back(json{{"node", m.node}, {"reason", m.reason}});
  for (const auto& a : g.answers) {
    auto doc = json::parse(a.answer, nullptr, false);
    auto series =
        doc.is_discarded()
            ? result<std::vector<an::series_snapshot>>{fail(errc::invalid_field, "not JSON")}
            : an::import_json(doc);
    if (!series) {
      missing.push_back(json{{"node", a.node}, {"reason", "bad export: " + series.err().detail}});
      continue;
    }
    nodes.push_back(a.node);
    for (auto& s : *series)
      all.push_back(std::move(s));
  }
  if (kind)
    all = an::only_kind(std::move(all), *kind);
  auto j = an::query_json(an::summarize(all, group), window, "cluster", now);
  j["node"] = self;
  j["nodes"] = std::move(nodes);
  j["partial"] = !missing.empty();
  j["missing"] = std::move(missing);
  return j;
}

} // namespace

analytics_hub::analytics_hub(analytics_options options)
    : impl_(std::make_unique<impl>(std::move(options))) {}

analytics_hub::~analytics_hub() {
  stop();
}

void analytics_hub::start() {
  std::lock_guard guard{impl_->lifecycle};
  if (impl_->system)
    return;
  impl_->config = std::make_unique<caf::actor_system_config>();
  impl_->config->set("scheduler.max-threads", std::size_t{1});
  impl_->config->set("scheduler.policy", caf::atom("sharing"));
  impl_->config->set("logger.verbosity", caf::atom("quiet"));
  impl_->system = std::make_unique<caf::actor_system>(*impl_->config);
  impl_->actor = impl_->system->spawn(analytics_actor, impl_->core, &impl_->options);
  {
    std::lock_guard gate{impl_->gate->mutex};
    impl_->gate->hub = impl_.get();
  }
  if (impl_->options.peers)
    impl_->options.peers->on_question(
        std::string{series_topic},
        [gate = impl_->gate](std::string_view, std::string_view question,
                             nzl::cluster::peer_messaging::reply_fn reply) {
          answer_series_question(gate, question, std::move(reply));
        });
}

void analytics_hub::stop() {
  {
    std::lock_guard gate{impl_->gate->mutex};
    impl_->gate->hub = nullptr;
  }
  std::unique_ptr<caf::actor_system> system;
  {
    std::lock_guard guard{impl_->lifecycle};
    if (!impl_->system)
      return;
    caf::anon_send_exit(impl_->actor, caf::exit_reason::user_shutdown);
    impl_->actor = nullptr;
    system = std::move(impl_->system);
  }
  system.reset(); // waits for the actor to finish
  impl_->config.reset();
}

void analytics_hub::probe_actors(probe_done done) {
  // Run by the actor as a call: an unrun call drops the probe, which then
  // answers without a wait (mailbox_probe's destructor).
  auto probe = std::make_shared<mailbox_probe>("analytics", std::move(done));
  impl_->send([probe](actor_state& st) { probe->run(st.mailbox_now); },
              [](result<net::analytics_answer>) {});
}

void analytics_hub::record(const net::measurement& m) noexcept {
  auto& core = *impl_->core;
  an::sample s;
  s.at_ms = 0; // stamped when drained (<= 100 ms later; slots are 5 s)
  s.latency_us = m.latency_us;
  s.request_bytes = m.request_bytes;
  s.response_bytes = m.response_bytes;
  s.status = m.status;
  s.type_id = core.types.intern(m.type);
  // A sample without a region (a WebSocket message) was served here.
  s.region_id =
      core.regions.intern(m.region.empty() ? std::string_view{impl_->options.node} : m.region);
  s.key_id = m.key_id.empty() || m.key_id == "anonymous" ? 0 : core.keys.intern(m.key_id);
  s.error_code = m.error_code;
  s.kind = static_cast<an::sample_kind>(m.what);
  s.flags = static_cast<std::uint8_t>((m.rate_limited ? an::flag_rate_limited : 0) |
                                      (m.durable ? an::flag_durable : 0));
  (void)core.rec.record(s);
}

void analytics_hub::cluster_summary(std::int64_t window, unsigned group,
                                    std::optional<an::sample_kind> kind, answer_handler done) {
  auto* peers = impl_->options.peers;
  auto gate = impl_->gate;
  auto timeout = std::chrono::milliseconds(impl_->options.cluster_timeout_ms);
  impl_->send(
      [done, window, group, kind, peers, gate, timeout](actor_state& st) {
        const auto now = now_of(*st.options);
        auto mine =
            std::make_shared<std::vector<an::series_snapshot>>(st.agg->snapshot(window, now));
        const auto self = st.options->node;
        if (!peers) {
          // No cluster links (a one-region manifest): this node's figures,
          // marked partial as before, since no other node can be asked.
          auto j = merge_cluster(std::move(*mine), self, {}, window, group, kind, now);
          j["partial"] = true;
          return done(json_answer(j));
        }
        auto question = json{{"window_ms", window}}.dump();
        peers->gather(
            series_topic, std::move(question), timeout,
            [done, mine, self, window, group, kind, now, gate](nzl::cluster::gathered g) mutable {
              // Merge on our actor, not on the cluster's link thread.
              auto shared = std::make_shared<nzl::cluster::gathered>(std::move(g));
              through_gate(
                  gate,
                  [done, mine, self, window, group, kind, now, shared](actor_state&) {
                    done(json_answer(
                        merge_cluster(std::move(*mine), self, *shared, window, group, kind, now)));
                  },
                  [done] { done(fail(errc::unavailable, "the analytics are not running")); });
            });
      },
      done);
}

std::uint64_t analytics_hub::dropped() const noexcept {
  return impl_->core->rec.dropped();
}

void analytics_hub::view(view_kind kind, std::string query, answer_handler done) {
  using k = view_kind;
  switch (kind) {
  case k::dashboard:
    return done(net::analytics_answer{"text/html; charset=utf-8", std::string{dashboard_html()}});
  case k::metrics: {
    auto ps = parse_query(query, {});
    if (!ps)
      return done(ps.err());
    return impl_->send(
        [done](actor_state& st) {
          auto extras = st.options->extra_metrics ? st.options->extra_metrics()
                                                  : std::vector<an::extra_metric>{};
          done(net::analytics_answer{"text/plain; version=0.0.4; charset=utf-8",
                                     an::render_metrics(*st.agg, &st.core->rec, extras)});
        },
        done);
  }
  case k::summary: {
    auto ps = parse_query(query, {"window", "group_by", "kind", "scope"});
    if (!ps)
      return done(ps.err());
    auto window = window_param(*ps, "5m");
    if (!window)
      return done(window.err());
    auto group = an::parse_group_by(param(*ps, "group_by", "type,region"));
    if (!group)
      return done(fail(errc::invalid_field, group.err().detail, {{"field", "group_by"}}));
    std::optional<an::sample_kind> kind_filter;
    if (auto text = param(*ps, "kind", ""); !text.empty()) {
      auto parsed = an::parse_kind(text);
      if (!parsed)
        return done(fail(errc::invalid_field, parsed.err().detail, {{"field", "kind"}}));
      kind_filter = *parsed;
    }
    auto scope = param(*ps, "scope", "node");
    if (scope != "node" && scope != "cluster")
      return done(fail(errc::invalid_field, "scope must be node or cluster", {{"field", "scope"}}));
    if (scope == "cluster")
      return cluster_summary(*window, *group, kind_filter, std::move(done));
    return impl_->send(
        [done, window = *window, group = *group, kind_filter](actor_state& st) {
          const auto now = now_of(*st.options);
          auto j = st.agg->query(window, group, now, kind_filter);
          j["node"] = st.options->node;
          done(json_answer(j));
        },
        done);
  }
  case k::report: {
    auto ps = parse_query(query, {"window", "format"});
    if (!ps)
      return done(ps.err());
    auto window = window_param(*ps, "1h");
    if (!window)
      return done(window.err());
    auto format = an::parse_report_format(param(*ps, "format", "json"));
    if (!format)
      return done(fail(errc::invalid_field, format.err().detail, {{"field", "format"}}));
    return impl_->send(
        [done, window = *window, format = *format](actor_state& st) {
          const auto now = now_of(*st.options);
          auto stored = st.options->stored_bytes ? st.options->stored_bytes() : 0;
          auto r =
              an::build_report(*st.agg, st.options->node, window, now, st.options->prices, stored);
          done(net::analytics_answer{std::string{an::content_type(format)}, an::render(r, format)});
        },
        done);
  }
  case k::live: {
    auto ps = parse_query(query, {});
    if (!ps)
      return done(ps.err());
    return impl_->send(
        [done](actor_state& st) { done(json_answer(live_snapshot(st, now_of(*st.options)))); },
        done);
  }
  case k::alerts: {
    auto ps = parse_query(query, {"since"});
    if (!ps)
      return done(ps.err());
    std::uint64_t since = 0;
    if (auto text = param(*ps, "since", ""); !text.empty()) {
      if (text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos)
        return done(fail(errc::invalid_field, "since must be an event sequence number",
                         {{"field", "since"}}));
      since = std::stoull(text);
    }
    return impl_->send(
        [done, since](actor_state& st) {
          json firing = json::array();
          for (const auto& e : st.alerts->firing())
            firing.push_back(an::to_json(e));
          json events = json::array();
          for (const auto& [seq, e] : st.recent)
            if (seq > since)
              events.push_back(e);
          json rules = json::array();
          for (const auto& r : st.alerts->rules())
            rules.push_back(json{{"name", r.name}, {"kind", an::to_string(r.kind)}});
          done(json_answer(json{{"node", st.options->node},
                                {"firing", std::move(firing)},
                                {"events", std::move(events)},
                                {"last_seq", st.next_seq - 1},
                                {"rules", std::move(rules)}}));
        },
        done);
  }
  }
  done(fail(errc::not_found, "no such analytics view"));
}

} // namespace nzl::actors::analytics
