#pragma once

// The operator shell's messages on the wire (CAF 0.17 inspect). Included
// only by the operator actor's .cpp and by the shell client: it pulls in
// CAF headers, so keep it out of widely included headers.
//
// Versions: protocol 1 was `nzl_op_command` / `nzl_op_reply` (the identity
// a claimed name). Protocol 2 adds the operator's proof (certificate,
// timestamp, nonce, signature) and the verified identity in the reply, as
// new message types: a CAF message cannot grow fields that an older peer
// could still decode. The node keeps the protocol 1 types registered only to
// tell an old shell to upgrade.
#include "actors/operator/command_proof.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace nzl::actors::operator_shell {

/// Version of the operator protocol; a node answers a command of another
/// version with status 2 and says which it speaks.
constexpr std::uint32_t protocol_version = 2;

/// The middleman's application identifier of operator endpoints: a shell
/// cannot connect to a cluster port by mistake, nor a peer to this one.
/// Unchanged by protocol 2, so an old shell still connects and is told to
/// upgrade.
inline const std::string app_identifier = "noizylab-operator/1";

/// One command line of the shell, split into words, with the operator's
/// proof (empty without cluster TLS).
struct command_msg {
  std::uint32_t version = protocol_version;
  std::uint64_t id = 0; ///< echoed in the reply: a late reply to an earlier command is ignored
  std::vector<std::string> words;
  std::string identity; ///< what the client says it is ("local:<uid>"); TLS off only
  command_proof proof;
};

/// The answer, sent to the command's sender as a plain message (not a CAF
/// response: the shell waits for it together with the down message of the
/// node): status 0 done, 1 refused or failed by the node, 2 usage, 3 the
/// node refused the operator's identity (a proof that does not verify);
/// `body` is JSON text; `identity` the one the node audited the command
/// under (the certificate subject with TLS, "local:<uid>" without).
struct reply_msg {
  std::uint64_t id = 0;
  std::int32_t status = 0;
  std::string body;
  std::string error;
  std::string identity;
};

/// Protocol 1's command, as an old shell sends it.
struct command_v1_msg {
  std::uint32_t version = 1;
  std::uint64_t id = 0;
  std::vector<std::string> words;
  std::string identity;
};

/// Protocol 1's reply: what an old shell can decode.
struct reply_v1_msg {
  std::uint64_t id = 0;
  std::int32_t status = 0;
  std::string body;
  std::string error;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, command_msg& x) {
  return f(caf::meta::type_name("nzl_op_command2"), x.version, x.id, x.words, x.identity,
           x.proof.certificate, x.proof.timestamp_ms, x.proof.nonce, x.proof.signature);
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, reply_msg& x) {
  return f(caf::meta::type_name("nzl_op_reply2"), x.id, x.status, x.body, x.error, x.identity);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, command_v1_msg& x) {
  return f(caf::meta::type_name("nzl_op_command"), x.version, x.id, x.words, x.identity);
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, reply_v1_msg& x) {
  return f(caf::meta::type_name("nzl_op_reply"), x.id, x.status, x.body, x.error);
}

/// Registers every message under its wire name (node and shell alike).
inline void register_messages(caf::actor_system_config& cfg) {
  cfg.add_message_type<command_msg>("nzl_op_command2");
  cfg.add_message_type<reply_msg>("nzl_op_reply2");
  cfg.add_message_type<command_v1_msg>("nzl_op_command");
  cfg.add_message_type<reply_v1_msg>("nzl_op_reply");
}

} // namespace nzl::actors::operator_shell
