#pragma once

#include "core/result.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::cluster {

/// Bound on a broadcast, a directed message or a question (topic excluded):
/// a WebSocket publish of `websocket.max_message_bytes` (64 KiB by default)
/// plus its envelope fits.
inline constexpr std::size_t max_peer_message_bytes = 128 * 1024;
/// Bound on one node's answer to a question (an analytics export of 4,096
/// series is ~2 MiB).
inline constexpr std::size_t max_peer_answer_bytes = 8 * 1024 * 1024;
/// Topics are 1..64 characters.
inline constexpr std::size_t max_topic_length = 64;

/// A node that gave no answer to a question, and why (down, not linked,
/// timed out, no handler for the topic, or its handler failed).
struct missing_node {
  std::string node;
  std::string reason;
};

/// One node's answer to a question.
struct node_answer {
  std::string node;
  std::string answer;
};

/// What `gather` collected: the answers of the peers that answered in time
/// and every other peer of the manifest in `missing`. This node is in
/// neither (the caller adds its own figures).
struct gathered {
  std::vector<node_answer> answers;
  std::vector<missing_node> missing;
};

/// Node-to-node messages other than tasks, over the cluster links: a topic
/// (1..64 characters) and a text payload (JSON or anything else). Implemented
/// by actors::cluster::cluster_service; header-only so that other modules
/// use it without CAF. Thread-safe.
///
/// Delivery: best effort. A message to a peer that is down is dropped (never
/// queued for later); messages from one node to another arrive in the order
/// they were sent. Handlers run on the cluster's link thread, one at a time,
/// in arrival order: they must be quick and must not block (hand real work to
/// another thread). A topic without a handler on the receiving node is
/// dropped (message) or listed as missing (question).
class peer_messaging {
public:
  using message_handler = std::function<void(std::string_view from_node, std::string_view payload)>;
  /// Answers a question once, from any thread; an error lists the node as
  /// missing with the error's detail.
  using reply_fn = std::function<void(result<std::string>)>;
  using question_handler =
      std::function<void(std::string_view from_node, std::string_view question, reply_fn reply)>;
  using gather_handler = std::function<void(gathered)>;

  virtual ~peer_messaging() = default;

  /// Registers the handler of messages (`send`, `broadcast`) under `topic`,
  /// replacing an earlier one. Any time (before or after the cluster starts).
  virtual void on_message(std::string topic, message_handler handler) = 0;

  /// Registers the handler of questions (`gather`) under `topic`.
  virtual void on_question(std::string topic, question_handler handler) = 0;

  /// Sends `payload` to `node` (fire and forget). `errc::invalid_field` for a
  /// bad topic, an oversized payload or an unknown node.
  [[nodiscard]] virtual result<bool> send(std::string_view node, std::string_view topic,
                                          std::string payload) = 0;

  /// Sends `payload` to every peer that is up (fire and forget); the number
  /// of peers it went to is not known synchronously. Errors as `send`.
  [[nodiscard]] virtual result<bool> broadcast(std::string_view topic, std::string payload) = 0;

  /// Asks every peer `question` under `topic` and calls `done` once, on any
  /// thread, when every peer answered, failed or `timeout` passed (peers
  /// that are down are missing at once; a peer lost while asked is missing
  /// at once). Never hangs: `done` runs within `timeout` plus a scheduling
  /// delay. Errors as `send` are reported through `done` (every peer missing).
  virtual void gather(std::string_view topic, std::string question,
                      std::chrono::milliseconds timeout, gather_handler done) = 0;

  /// This node's name.
  [[nodiscard]] virtual std::string self_node() const = 0;

  /// Every node of the manifest (this one included), sorted by name.
  [[nodiscard]] virtual std::vector<std::string> nodes() const = 0;

  /// The nodes that are up or suspect now (this one included), sorted.
  [[nodiscard]] virtual std::vector<std::string> live_nodes() const = 0;
};

/// True when `topic` is 1..max_topic_length characters.
[[nodiscard]] inline bool valid_topic(std::string_view topic) noexcept {
  return !topic.empty() && topic.size() <= max_topic_length;
}

} // namespace nzl::cluster
