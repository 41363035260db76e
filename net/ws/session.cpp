// The WebSocket protocol of one session (docs/websocket.md), without Beast.
// Model: messages from the client arrive on the attached connection's io
// thread, one at a time; everything the session sends goes through its
// outbox, from whichever thread produced it (the io thread for pings and
// inline tasks, an executor thread for progress and results, a publisher's
// thread for channel events). Invariants:
// - every message sent gets the next msg_seq; the last `resume_buffer`
//   written ones stay held, so a client that reconnects within the window
//   gets what it missed, or learns how many messages are gone;
// - at most `max_queued` messages wait unwritten: at 3/4 the client is sent
//   `lagging`, at the bound the connection closes with 1008 (a detached
//   session drops its oldest messages instead), so a slow reader never grows
//   the node's memory without bound;
// - at most `max_tasks` tasks and `max_subscriptions` channels per session;
//   `max_bad_messages` garbage messages in a row close with 1008.
// A crash loses every session: clients reconnect and resubscribe.
#include "net/ws/session.hpp"

#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/problem.hpp"
#include "core/task.hpp"
#include "net/analytics_service.hpp"
#include "net/json_body.hpp"
#include "net/task_codec.hpp"
#include "net/task_service.hpp"
#include "net/ws/hub.hpp"
#include "net/ws/internal/json_text.hpp"

#include <algorithm>

namespace nzl::net::ws {

namespace {

using internal::append_number;
using internal::append_quoted;
using internal::id_text;
using nlohmann::json;

// JSON text of `doc` without its closing brace (the writer appends msg_seq).
std::string open_text(const json& doc) {
  auto text = doc.dump(-1, ' ', false, json::error_handler_t::replace);
  text.pop_back();
  return text;
}

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The text open_text(message(type, id)) gives (keys in nlohmann's sorted
// order: "id" then "type"), without building a JSON object: the replies sent
// most (pong, result) skip the object's allocations.
std::string bare_reply(std::string_view type, const json& id) {
  std::string text{"{"};
  if (!id.is_null()) {
    text += R"("id":)";
    text += id_text(id);
    text += ',';
  }
  text += R"("type":")";
  text += type;
  text += '"';
  return text;
}

json message(std::string_view type, const json& id) {
  json doc = json::object();
  doc["type"] = type;
  if (!id.is_null())
    doc["id"] = id;
  return doc;
}

bool valid_channel(const std::string& name) {
  if (name.empty() || name.size() > 64)
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == ':';
  });
}

bool valid_id(const json& id) {
  if (id.is_null() || id.is_number_integer())
    return true;
  return id.is_string() && !id.get_ref<const std::string&>().empty() &&
         id.get_ref<const std::string&>().size() <= 128;
}

} // namespace

session::session(std::string id, ws_grant grant, ws_hub& hub)
    : id_(std::move(id)), grant_(std::move(grant)), hub_(hub),
      tasks_channel_("tasks/" + grant_.client),
      outbox_({hub.options().max_queued, hub.options().resume_buffer}) {}

session::~session() = default;

void session::attach(const std::shared_ptr<connection>& c) {
  std::shared_ptr<connection> old;
  bool wake = false;
  {
    std::lock_guard guard{mutex_};
    old = conn_.lock();
    conn_ = c;
    closing_ = false;
    wake_pending_ = outbox_.unsent() > 0;
    wake = wake_pending_;
  }
  if (old && old != c)
    old->close(close_policy, "session resumed elsewhere", false);
  if (wake)
    c->wake();
}

bool session::detach(const connection* c) {
  std::lock_guard guard{mutex_};
  if (conn_.lock().get() != c)
    return false;
  conn_.reset();
  wake_pending_ = false;
  return true;
}

bool session::attached() const {
  std::lock_guard guard{mutex_};
  return !conn_.expired();
}

void session::welcome() {
  auto doc = message("welcome", nullptr);
  doc["session"] = id_;
  doc["resume_window_ms"] = hub_.options().resume_window_ms;
  doc["max_message_bytes"] = hub_.options().max_message_bytes;
  send(open_text(doc));
}

std::optional<outgoing> session::take_next() {
  std::lock_guard guard{mutex_};
  auto* next = outbox_.next_unsent();
  if (!next) {
    wake_pending_ = false;
    return std::nullopt;
  }
  return *next;
}

void session::mark_sent() {
  std::lock_guard guard{mutex_};
  outbox_.mark_sent();
}

std::optional<outgoing> session::mark_sent_take_next() {
  std::lock_guard guard{mutex_};
  outbox_.mark_sent();
  auto* next = outbox_.next_unsent();
  if (!next) {
    wake_pending_ = false;
    return std::nullopt;
  }
  return *next;
}

bool session::has_unsent() const {
  std::lock_guard guard{mutex_};
  return outbox_.unsent() > 0;
}

std::uint64_t session::rewind(std::uint64_t have) {
  std::lock_guard guard{mutex_};
  return outbox_.rewind(have);
}

void session::send(std::string body, outbox::mode m) {
  push(std::make_shared<const std::string>(std::move(body)), m);
}

void session::deliver(std::shared_ptr<const std::string> event_text) {
  push(std::move(event_text), outbox::mode::normal);
}

void session::push(std::shared_ptr<const std::string> body, outbox::mode m) {
  std::shared_ptr<connection> c;
  bool wake = false;
  bool close = false;
  std::size_t queued = 0;
  {
    std::lock_guard guard{mutex_};
    c = conn_.lock();
    if (closing_)
      return; // closed for lagging: nothing more is queued
    if (!c && m == outbox::mode::normal)
      m = outbox::mode::detached;
    auto v = outbox_.push(std::move(body), m);
    if (v == outbox::verdict::lagging) {
      auto notice = message("lagging", nullptr);
      notice["queued"] = outbox_.unsent();
      notice["limit"] = hub_.options().max_queued;
      outbox_.push(std::make_shared<const std::string>(open_text(notice)), outbox::mode::force);
    } else if (v == outbox::verdict::overflow) {
      closing_ = true;
      close = true;
      queued = outbox_.unsent();
    }
    if (c && !wake_pending_ && !close) {
      wake_pending_ = true;
      wake = true;
    }
  }
  if (close && c) {
    log::emit(log::level::info, "ws_slow_consumer", R"("session":{},"queued":{})", log::quote(id_),
              queued);
    // Flushed, so the client reads the `lagging` notice queued before the
    // bound, then 1008: nothing more is queued (closing_), and the
    // connection's close guard bounds how long the flush may take.
    c->close(close_policy, "the client reads too slowly", true);
  } else if (wake)
    c->wake();
}

// Errors this thread sent while handling one message: a message is measured
// as failed when its handling sent one (on_text runs on one io thread).
thread_local std::uint32_t errors_sent_here = 0;

// The protocol's message types, as static names the analytics can keep.
std::string_view message_type_name(std::string_view type) noexcept {
  for (std::string_view known :
       {"ping", "task", "cancel", "subscribe", "unsubscribe", "publish", "resume"})
    if (type == known)
      return known;
  return "invalid";
}

std::uint32_t clamp_us(double us) noexcept {
  return us <= 0 ? 0 : us >= 4e9 ? 4'000'000'000u : static_cast<std::uint32_t>(us);
}

void session::measure_message(std::string_view type, std::size_t bytes,
                              std::chrono::steady_clock::time_point start, bool failed) noexcept {
  auto* analytics = hub_.analytics();
  if (!analytics)
    return;
  measurement m;
  m.what = measurement::kind::websocket;
  m.type = type;
  m.key_id = grant_.client;
  m.latency_us = clamp_us(
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
  m.request_bytes = static_cast<std::uint32_t>(std::min<std::size_t>(bytes, 4'000'000'000u));
  m.status = failed ? 400 : 200;
  analytics->record(m);
}

void session::measure_task(const task_outcome& outcome) noexcept {
  auto* analytics = hub_.analytics();
  if (!analytics)
    return;
  measurement m;
  m.what = measurement::kind::task;
  m.type = outcome.type;
  m.region = outcome.region;
  m.key_id = grant_.client;
  m.latency_us = clamp_us(outcome.duration_ms * 1000.0);
  if (!outcome.value) {
    auto code = outcome.value.err().code;
    m.status = static_cast<std::uint16_t>(problem_type_of(code).status);
    m.error_code = static_cast<std::uint8_t>(1 + static_cast<unsigned>(code));
  }
  analytics->record(m);
}

void session::reply_error(const json& id, std::string_view code, std::string_view detail,
                          bool garbage) {
  ++errors_sent_here;
  auto doc = message("error", id);
  doc["code"] = code;
  doc["detail"] = detail;
  send(open_text(doc), outbox::mode::force);
  if (!garbage)
    return;
  if (++bad_in_a_row_ >= hub_.options().max_bad_messages) {
    std::shared_ptr<connection> c;
    {
      std::lock_guard guard{mutex_};
      c = conn_.lock();
    }
    if (c)
      c->close(close_policy, "too many invalid messages", true);
  }
}

void session::on_binary() {
  reply_error(nullptr, "invalid_message", "binary messages are not supported; send JSON text",
              true);
}

void session::on_text(std::string_view text) {
  // Measures the message however its handling returns.
  struct meter {
    session& s;
    std::size_t bytes;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    std::uint32_t errors_before = errors_sent_here;
    std::string_view type = "invalid";
    ~meter() { s.measure_message(type, bytes, start, errors_sent_here != errors_before); }
  } meter{*this, text.size()};
  auto parsed = parse_json_body(text, hub_.options().max_json_depth);
  if (!parsed)
    return reply_error(nullptr, "invalid_json", parsed.err().detail, true);
  auto& doc = *parsed;
  if (!doc.is_object())
    return reply_error(nullptr, "invalid_message", "a message is a JSON object", true);
  json id = nullptr;
  if (auto it = doc.find("id"); it != doc.end())
    id = *it;
  if (!valid_id(id))
    return reply_error(nullptr, "invalid_field",
                       "id must be a string of 1-128 characters or an integer", true);
  auto type_it = doc.find("type");
  if (type_it == doc.end() || !type_it->is_string())
    return reply_error(id, "invalid_field", "type must be a string", true);
  const auto& type = type_it->get_ref<const std::string&>();
  meter.type = message_type_name(type);
  if (type == "ping") {
    bad_in_a_row_ = 0;
    return send(bare_reply("pong", id));
  }
  if (type == "task")
    return on_task(id, doc);
  if (type == "cancel")
    return on_cancel(id);
  if (type == "subscribe" || type == "unsubscribe")
    return on_subscribe(id, doc, type == "subscribe");
  if (type == "publish")
    return on_publish(id, doc);
  if (type == "resume")
    return on_resume(id, doc);
  reply_error(id, "unknown_message_type",
              "unknown message type '" + type.substr(0, 32) +
                  "'; expected ping, task, cancel, subscribe, unsubscribe, publish or resume",
              true);
}

void session::on_task(const json& id, json& doc) {
  if (id.is_null())
    return reply_error(id, "invalid_field", "a task message needs an id", true);
  auto task_it = doc.find("task");
  if (task_it == doc.end() || !task_it->is_object())
    return reply_error(id, "invalid_field", "task must be an object {type, payload, options}",
                       true);
  auto decoded = decode_task(*task_it, v3_fields, "task.");
  if (!decoded)
    return reply_error(id, to_string(decoded.err().code), decoded.err().detail, true);
  bad_in_a_row_ = 0;
  auto& task = *decoded;
  task.client = grant_.client;
  task.request_id = "ws-" + id_;
  if (auto a = doc.find("async"); a != doc.end() && a->is_boolean() && a->get<bool>())
    task.options.async = true;
  auto key = id_text(id);
  auto self = weak_from_this();
  if (task.options.async) {
    // Through the durable queue: the answer is the queued record; lifecycle
    // events come from GET /v3/tasks/{id} or the webhook.
    return hub_.tasks().enqueue(std::move(task), [self, id](result<json> answer) {
      auto s = self.lock();
      if (!s)
        return;
      if (!answer)
        return s->reply_error(id, to_string(answer.err().code), answer.err().detail, false);
      auto doc = message("result", id);
      doc["result"] = std::move(answer).value();
      s->send(open_text(doc), outbox::mode::force);
    });
  }
  std::string_view code;
  {
    std::lock_guard guard{mutex_};
    if (running_.count(key) != 0)
      code = "conflict";
    else if (running_.size() >= hub_.options().max_tasks)
      code = "overloaded";
    else
      running_.emplace(key, task.cancel);
  }
  if (code == "conflict")
    return reply_error(id, code, "a task with this id is running on this session", false);
  if (!code.empty())
    return reply_error(id, code, "too many tasks are running on this session", false);
  task.on_progress = [self, id](int percent, std::string_view stage) {
    auto s = self.lock();
    if (!s)
      return;
    auto doc = message("progress", id);
    doc["percent"] = std::clamp(percent, 0, 100);
    doc["stage"] = std::string{stage.substr(0, 128)};
    s->send(open_text(doc));
  };
  auto task_id = task.id;
  task_event(task_id, "running");
  // `key` is the id's JSON text: the result reuses it.
  hub_.tasks().run(std::move(task), [self, id, key](task_outcome outcome) {
    auto s = self.lock();
    if (!s)
      return;
    {
      std::lock_guard guard{s->mutex_};
      s->running_.erase(key);
    }
    s->measure_task(outcome);
    if (outcome.value) {
      // The JSON open_text of {type, id, task_id, result, duration_ms,
      // region} would give (sorted keys), without building that object and
      // with one serializer (for the result) instead of five.
      auto value = dump(*outcome.value);
      std::string text;
      text.reserve(value.size() + key.size() + outcome.region.size() + outcome.id.size() + 96);
      text += R"({"duration_ms":)";
      append_number(text, outcome.duration_ms);
      text += R"(,"id":)";
      text += key;
      text += R"(,"region":)";
      append_quoted(text, outcome.region);
      text += R"(,"result":)";
      text += value;
      text += R"(,"task_id":)";
      append_quoted(text, outcome.id);
      text += R"(,"type":"result")";
      s->send(std::move(text), outbox::mode::force);
      s->task_event(outcome.id, "completed");
    } else {
      auto& err = outcome.value.err();
      auto doc = message("error", id);
      doc["task_id"] = outcome.id;
      doc["code"] = to_string(err.code);
      doc["detail"] = err.detail;
      if (!err.extensions.empty())
        doc["extensions"] = err.extensions;
      s->send(open_text(doc), outbox::mode::force);
      s->task_event(outcome.id, err.code == errc::task_cancelled ? "cancelled" : "failed");
    }
  });
}

void session::on_cancel(const json& id) {
  std::shared_ptr<cancel_flag> flag;
  {
    std::lock_guard guard{mutex_};
    if (auto it = running_.find(id_text(id)); it != running_.end())
      flag = it->second;
  }
  if (!flag)
    return reply_error(id, "not_found", "no running task has this id", false);
  bad_in_a_row_ = 0;
  // The task answers with an error whose code is task_cancelled.
  flag->cancel();
}

std::string session::channel_key(const std::string& name) const {
  // The caller's own task events: one channel per API key, shown as "tasks".
  if (name == "tasks")
    return "tasks/" + grant_.client;
  return name;
}

void session::on_subscribe(const json& id, const json& doc, bool subscribe) {
  auto ch = doc.find("channel");
  if (ch == doc.end() || !ch->is_string() || !valid_channel(ch->get<std::string>()))
    return reply_error(id, "invalid_field", "channel must be 1-64 characters of [A-Za-z0-9._:-]",
                       true);
  bad_in_a_row_ = 0;
  const auto& name = ch->get_ref<const std::string&>();
  auto key = channel_key(name);
  auto it = std::find(channels_.begin(), channels_.end(), key);
  if (subscribe) {
    if (name == "alerts" && !grant_.admin)
      return reply_error(id, "forbidden", "the alerts channel needs an admin key", false);
    if (it == channels_.end()) {
      if (channels_.size() >= hub_.options().max_subscriptions)
        return reply_error(id, "overloaded", "too many channels on this session", false);
      if (!hub_.channels().subscribe(key, weak_from_this()))
        return reply_error(id, "overloaded", "the channel is full", false);
      channels_.push_back(key);
    }
  } else if (it != channels_.end()) {
    hub_.channels().unsubscribe(key, this);
    channels_.erase(it);
  }
  auto reply = message(subscribe ? "subscribed" : "unsubscribed", id);
  reply["channel"] = name;
  send(open_text(reply));
}

void session::on_publish(const json& id, const json& doc) {
  auto ch = doc.find("channel");
  if (ch == doc.end() || !ch->is_string() || !valid_channel(ch->get<std::string>()))
    return reply_error(id, "invalid_field", "channel must be 1-64 characters of [A-Za-z0-9._:-]",
                       true);
  auto data = doc.find("data");
  if (data == doc.end())
    return reply_error(id, "invalid_field", "publish needs data (any JSON value)", true);
  bad_in_a_row_ = 0;
  const auto& name = ch->get_ref<const std::string&>();
  // analytics too: its subscribers (dashboards) take its events for the
  // node's own snapshot, so a client must not be able to forge one.
  if (name == "tasks" || name == "alerts" || name == "analytics")
    return reply_error(id, "forbidden", "system channels are written by the node only", false);
  auto seq =
      hub_.channels().publish(name, data->dump(-1, ' ', false, json::error_handler_t::replace));
  auto reply = message("published", id);
  reply["channel"] = name;
  // 0: another node of the cluster numbers this channel and the number is
  // not known here (docs/websocket.md "Channels across the cluster"); the
  // reply then carries no seq rather than a wrong one.
  if (seq != 0)
    reply["seq"] = seq;
  send(open_text(reply));
}

void session::on_resume(const json& id, const json& doc) {
  auto sid = doc.find("session");
  auto last = doc.find("last_seq");
  if (sid == doc.end() || !sid->is_string() || last == doc.end() || !last->is_number_unsigned())
    return reply_error(id, "invalid_field",
                       "resume needs session (string) and last_seq (integer >= 0)", true);
  bad_in_a_row_ = 0;
  auto old = hub_.find(sid->get<std::string>(), grant_.client);
  if (!old || old.get() == this)
    return reply_error(id, "session_not_found",
                       "no session with this id can be resumed (expired, unknown or another key's)",
                       false);
  std::shared_ptr<connection> c;
  {
    std::lock_guard guard{mutex_};
    c = conn_.lock();
  }
  if (!c)
    return;
  auto lost = old->rewind(last->get<std::uint64_t>());
  auto reply = message("resumed", id);
  reply["session"] = old->id();
  reply["lost"] = lost;
  old->send(open_text(reply), outbox::mode::force);
  // This fresh session is replaced: the connection serves the old one now.
  detach(c.get());
  c->adopt(old);
  old->attach(c);
  hub_.forget(shared_from_this());
}

void session::task_event(const std::string& task_id, std::string_view status) {
  // Most clients never subscribe to `tasks`: an event nobody on this node
  // listens to is not built (the channel is node-local, so nobody else
  // could; and a channel without subscribers numbers nothing).
  if (hub_.channels().subscribers(tasks_channel_) == 0)
    return;
  std::string data{R"({"status":)"};
  data += dump(status);
  data += R"(,"task_id":)";
  data += dump(task_id);
  data += '}';
  hub_.channels().publish(tasks_channel_, data);
}

void session::end() {
  for (auto& ch : channels_)
    hub_.channels().unsubscribe(ch, this);
  channels_.clear();
  std::lock_guard guard{mutex_};
  for (auto& [key, flag] : running_)
    flag->cancel();
}

} // namespace nzl::net::ws
