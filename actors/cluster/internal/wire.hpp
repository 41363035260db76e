#pragma once

// The wire contract between nodes: every type and atom that crosses the CAF
// link, registered in one place (register_wire_types) under versioned names.
// Changing a struct means bumping protocol_version and the names' suffix;
// adding one means bumping protocol_version (an old peer would not know it).
// Process-local messages (jobs with callbacks) are declared in
// cluster_service.cpp and never leave the process.

#include "actors/cluster/cluster_service.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>

namespace nzl::actors::cluster::internal {

/// First message on a new link, both ways.
struct wire_hello {
  std::uint32_t version = protocol_version;
  std::string cluster;
  std::string node;
  std::string region;
  bool accepted = true; ///< in the answer: false with `why` when refused
  std::string why;
};

/// A heartbeat (and its answer): the sender's load.
struct wire_load {
  std::string node;
  std::uint32_t in_flight = 0;
  std::uint32_t queue_depth = 0;
  double p95_ms = 0;
  bool drained = false;
  std::string redirect;
};

/// A task forwarded to a peer; payload and options are JSON text.
struct wire_task {
  std::string id;
  std::string type;
  std::string payload;
  std::string options;
  std::string request_id;
  std::string client;
  std::string country;
};

/// The answer to a forwarded task or operation.
struct wire_result {
  bool ok = false;
  std::string value; ///< JSON text when ok
  std::uint8_t code = 0;
  std::string detail;
  std::string extensions; ///< JSON text
  std::string region;
  double duration_ms = 0;
};

/// An operator's failover (on) or failback (off) for the receiving node.
struct wire_drain {
  bool on = false;
  std::string redirect;
};

/// A message (pmsg_atom, one way) or a question (ask_atom, answered with a
/// wire_result) of nzl::cluster::peer_messaging.
struct wire_peer_msg {
  std::string topic;
  std::string from; ///< the sending node
  std::string payload;
  std::uint32_t timeout_ms = 0; ///< questions: how long the asker waits
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, wire_hello& x) {
  return f(caf::meta::type_name("nzl_hello_v1"), x.version, x.cluster, x.node, x.region, x.accepted,
           x.why);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, wire_load& x) {
  return f(caf::meta::type_name("nzl_load_v1"), x.node, x.in_flight, x.queue_depth, x.p95_ms,
           x.drained, x.redirect);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, wire_task& x) {
  return f(caf::meta::type_name("nzl_task_v1"), x.id, x.type, x.payload, x.options, x.request_id,
           x.client, x.country);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, wire_result& x) {
  return f(caf::meta::type_name("nzl_result_v1"), x.ok, x.value, x.code, x.detail, x.extensions,
           x.region, x.duration_ms);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, wire_drain& x) {
  return f(caf::meta::type_name("nzl_drain_v1"), x.on, x.redirect);
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, wire_peer_msg& x) {
  return f(caf::meta::type_name("nzl_pmsg_v1"), x.topic, x.from, x.payload, x.timeout_ms);
}

using hello_atom = caf::atom_constant<caf::atom("nzl_hello")>;
using hb_atom = caf::atom_constant<caf::atom("nzl_hb")>;
/// A forwarded task: (wire_task, the sender's token for it, whether the
/// sender wants its progress). Since protocol 3 the serving node reports
/// progress back (fprog_atom) and the sender can cancel it (fcancel_atom),
/// both naming the sender's token.
using fwd_atom = caf::atom_constant<caf::atom("nzl_fwd3")>;
/// Serving node to sender, one way: (token, percent, stage).
using fprog_atom = caf::atom_constant<caf::atom("nzl_fprog")>;
/// Sender to serving node, one way: (token). Sets the task's cancel flag.
using fcancel_atom = caf::atom_constant<caf::atom("nzl_fcanc")>;
/// To the node that keeps an Idempotency-Key (protocol 3): (key,
/// fingerprint), answered with a wire_result whose value is
/// {"verdict", "response"?}; the answer waits while a first request with the
/// key runs. Then (key, has_response, response JSON) stores or releases it.
using idb_atom = caf::atom_constant<caf::atom("nzl_idb")>;
using idf_atom = caf::atom_constant<caf::atom("nzl_idf")>;
using enq_atom = caf::atom_constant<caf::atom("nzl_enq")>;
using op_atom = caf::atom_constant<caf::atom("nzl_op")>;
using drain_atom = caf::atom_constant<caf::atom("nzl_drain")>;
using pmsg_atom = caf::atom_constant<caf::atom("nzl_pmsg")>;
using ask_atom = caf::atom_constant<caf::atom("nzl_ask")>;

/// A heartbeat's answer from a node that holds no link to the sender (it
/// declared the sender down while the sender was stalled, say): the sender
/// drops its half of the link and the pair says hello again. A CAF error, not
/// a wire field, so that the protocol stays as it is.
inline caf::error not_linked_error() {
  return caf::make_error(caf::sec::remote_linking_failed);
}

/// Operations on a durable task at its home (op_atom's first argument).
enum class task_op : std::uint8_t { get = 1, cancel = 2, retry = 3 };

/// Registers every wire type; the same on every node.
inline void register_wire_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<wire_hello>("nzl_hello_v1");
  cfg.add_message_type<wire_load>("nzl_load_v1");
  cfg.add_message_type<wire_task>("nzl_task_v1");
  cfg.add_message_type<wire_result>("nzl_result_v1");
  cfg.add_message_type<wire_drain>("nzl_drain_v1");
  cfg.add_message_type<wire_peer_msg>("nzl_pmsg_v1");
}

} // namespace nzl::actors::cluster::internal
