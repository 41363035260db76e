#pragma once

#include "net/ws/outbox.hpp"
#include "net/ws/token_store.hpp"
#include "net/ws_service.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nzl {
class cancel_flag;
struct task_outcome;
} // namespace nzl

namespace nzl::net::ws {

class ws_hub;
class session;

/// A WebSocket connection as a session sees it (net/ws/connection.cpp, over
/// Beast). `wake` and `close` may be called on any thread; `adopt` only on
/// the connection's own io thread.
class connection {
public:
  virtual ~connection() = default;
  /// The session has messages to write. On the connection's own io thread
  /// the write starts before this returns (it takes the session's lock: the
  /// caller must not hold it); elsewhere it is queued for that thread.
  virtual void wake() = 0;
  /// Closes the WebSocket with `code`: after every queued message when
  /// `flush`, else after the message being written.
  virtual void close(std::uint16_t code, std::string reason, bool flush) = 0;
  /// From now on the connection serves `s` (a resumed session).
  virtual void adopt(std::shared_ptr<session> s) = 0;
};

/// WebSocket close codes (RFC 6455 7.4.1).
inline constexpr std::uint16_t close_going_away = 1001;
inline constexpr std::uint16_t close_policy = 1008;
inline constexpr std::uint16_t close_too_big = 1009;
inline constexpr std::uint16_t close_try_later = 1013;

/// One client session: the protocol of docs/websocket.md without the
/// WebSocket library. It outlives its connection for the resume window: a
/// client that reconnects and sends `resume` gets the messages it missed
/// from the outbox. Messages come in on the attached connection's io thread
/// (`on_text`); messages go out from any thread (task results, progress,
/// channel events) into the bounded outbox, and the connection is woken to
/// write them. One small mutex guards the outbox, the attached connection and
/// the task table.
class session final : public ws_subscriber, public std::enable_shared_from_this<session> {
public:
  session(std::string id, ws_grant grant, ws_hub& hub);
  ~session() override;
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  [[nodiscard]] const std::string& id() const noexcept { return id_; }
  [[nodiscard]] const ws_grant& grant() const noexcept { return grant_; }

  /// Binds the session to `c` (replacing any other connection, which is
  /// closed) and wakes it when there is something to write.
  void attach(const std::shared_ptr<connection>& c);
  /// Unbinds `c` if it is the attached one; returns true then.
  bool detach(const connection* c);
  [[nodiscard]] bool attached() const;
  /// The attached connection or null (ws_hub::kick closes it). Any thread.
  [[nodiscard]] std::shared_ptr<connection> attached_connection() const {
    std::lock_guard guard{mutex_};
    return conn_.lock();
  }

  /// Sends the `welcome` message (session id, limits).
  void welcome();
  /// One text message from the client.
  void on_text(std::string_view text);
  /// One binary message from the client (refused; counts as garbage).
  void on_binary();

  /// The next message to write, or nullopt (then the connection waits for a
  /// wake-up). The message stays held until `mark_sent`.
  [[nodiscard]] std::optional<outgoing> take_next();
  void mark_sent();
  /// `mark_sent` then `take_next`, under one lock (the writer's loop).
  [[nodiscard]] std::optional<outgoing> mark_sent_take_next();
  /// True while messages wait to be written.
  [[nodiscard]] bool has_unsent() const;

  /// For a resume: makes the held messages after `have` unsent again; returns
  /// how many are gone.
  std::uint64_t rewind(std::uint64_t have);

  /// Queues one message (JSON text without its closing brace).
  void send(std::string body, outbox::mode m = outbox::mode::normal);

  /// The session ends for good: leaves its channels, cancels its tasks.
  void end();

  // ws_subscriber
  void deliver(std::shared_ptr<const std::string> event_text) override;

private:
  void push(std::shared_ptr<const std::string> body, outbox::mode m);
  // One handled message's sample for the analytics (issue 11): its type
  // (one of the protocol's names, else "invalid"), size and handling time.
  void measure_message(std::string_view type, std::size_t bytes,
                       std::chrono::steady_clock::time_point start, bool failed) noexcept;
  // One task run for this session, as the HTTP layer measures its tasks.
  void measure_task(const task_outcome& outcome) noexcept;

  void reply_error(const nlohmann::json& id, std::string_view code, std::string_view detail,
                   bool garbage);
  void on_task(const nlohmann::json& id, nlohmann::json& doc);
  void on_cancel(const nlohmann::json& id);
  void on_subscribe(const nlohmann::json& id, const nlohmann::json& doc, bool subscribe);
  void on_publish(const nlohmann::json& id, const nlohmann::json& doc);
  void on_resume(const nlohmann::json& id, const nlohmann::json& doc);
  void task_event(const std::string& task_id, std::string_view status);
  [[nodiscard]] std::string channel_key(const std::string& name) const;

  std::string id_;
  ws_grant grant_;
  ws_hub& hub_;
  std::string tasks_channel_;         // "tasks/<key>": this key's task events
  std::size_t bad_in_a_row_ = 0;      // io thread only
  std::vector<std::string> channels_; // io thread only (and end())
  mutable std::mutex mutex_;          // guards the members below
  outbox outbox_;
  std::weak_ptr<connection> conn_;
  bool wake_pending_ = false;
  bool closing_ = false;
  std::unordered_map<std::string, std::shared_ptr<cancel_flag>> running_; // by message id text
};

} // namespace nzl::net::ws
