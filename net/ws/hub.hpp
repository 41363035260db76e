#pragma once

#include "net/http_types.hpp"
#include "net/ws/token_store.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nzl::net {
class analytics_service;
class api;
class gateway;
class security_service;
class task_service;
class ws_service;
} // namespace nzl::net

namespace nzl::net::ws {

class session;
class connection;

/// The manifest's `websocket` section.
struct ws_options {
  std::uint32_t ping_interval_ms = 20'000; ///< server pings; 2 missed intervals close
  std::uint32_t handshake_timeout_ms = 10'000;
  std::size_t max_message_bytes = 64 * 1024; ///< bigger incoming messages close with 1009
  std::size_t max_queued = 256;              ///< unsent messages per session before 1008
  std::size_t resume_buffer = 64;            ///< written messages kept for a resume
  std::uint32_t resume_window_ms = 30'000;   ///< how long a closed session can be resumed
  std::size_t max_detached = 10'000;         ///< closed sessions kept for resume at most
  std::size_t max_tasks = 16;                ///< tasks running at once per session
  std::size_t max_subscriptions = 64;        ///< channels per session
  std::size_t max_bad_messages = 10;         ///< garbage in a row before 1008
  std::size_t max_json_depth = 64;
};

/// What `admit` decided about `GET /v3/ws`.
struct upgrade_verdict {
  std::optional<http_response> refusal; ///< set: answer this, do not upgrade
  ws_grant grant;
};

/// The node's WebSocket sessions, without the WebSocket library: admission of
/// the upgrade (gateway or token), the table of sessions by id (live ones and
/// closed ones within the resume window), and the services sessions use.
/// Thread-safe: one mutex guards the table (taken per open, close and resume).
class ws_hub {
public:
  struct services {
    task_service& tasks;
    ws_service& channels;
    token_store& tokens;
    api& problems;                          ///< renders refusals as problem documents
    gateway* gate = nullptr;                ///< null: every upgrade admitted (tests)
    security_service* security = nullptr;   ///< to know admin keys
    analytics_service* analytics = nullptr; ///< measures messages and tasks; null: not measured
  };

  ws_hub(ws_options options, services s);
  ~ws_hub();
  ws_hub(const ws_hub&) = delete;
  ws_hub& operator=(const ws_hub&) = delete;

  /// Runs the gateway for `GET /v3/ws` (route ws_upgrade: IP, key, signature,
  /// country, rate limit) or redeems `?token=`; called on an io thread before
  /// the WebSocket handshake.
  [[nodiscard]] upgrade_verdict admit(http_request& request);

  /// A new session for `grant`, in the table.
  [[nodiscard]] std::shared_ptr<session> open(ws_grant grant);

  /// Connection `c` of `s` ended: `s` stays resumable for the window.
  void closed(const std::shared_ptr<session>& s, const connection* c);

  /// The session `id` if it exists and belongs to `client`.
  [[nodiscard]] std::shared_ptr<session> find(std::string_view id, std::string_view client);

  /// `fresh` (a session never used) is replaced by a resumed one: forget it.
  void forget(const std::shared_ptr<session>& fresh);

  [[nodiscard]] const ws_options& options() const noexcept { return options_; }
  [[nodiscard]] task_service& tasks() noexcept { return services_.tasks; }
  [[nodiscard]] ws_service& channels() noexcept { return services_.channels; }
  [[nodiscard]] analytics_service* analytics() noexcept { return services_.analytics; }

  /// Sessions in the table (live and resumable).
  [[nodiscard]] std::size_t sessions() const;

  /// One session as the operator shell lists it.
  struct session_row {
    std::string id;
    std::string client;
    bool admin = false;
    bool attached = false; ///< false: closed, resumable within the window
  };
  /// At most `max` sessions of the table (for `cloudagent shell sessions`).
  [[nodiscard]] std::vector<session_row> list(std::size_t max) const;

  /// Ends session `session_id` for good (the operator shell's `kick`): an
  /// attached connection is closed with 1008 on its own executor after the
  /// message being written, and the session ends when that connection has
  /// let go of it; a detached one ends now. No resume window: a `resume`
  /// of it is refused from now on. False if no such session (or already
  /// kicked). Any thread. Known gap: a resume that found the session just
  /// before the kick but has not attached it yet is not closed; the session
  /// then ends when that connection closes.
  bool kick(std::string_view session_id);

  /// Ends every session (at shutdown, after the connections closed).
  void end_all();

private:
  struct entry {
    std::shared_ptr<session> s;
    std::chrono::steady_clock::time_point detached_at{}; ///< epoch: attached
    bool kicked = false; ///< closing for good: not resumable, ends when detached
  };
  void sweep(std::chrono::steady_clock::time_point now); // mutex_ held

  ws_options options_;
  services services_;
  mutable std::mutex mutex_; // guards sessions_, detached_, last_sweep_
  std::unordered_map<std::string, entry> sessions_;
  std::size_t detached_ = 0;
  std::chrono::steady_clock::time_point last_sweep_{};
};

} // namespace nzl::net::ws
