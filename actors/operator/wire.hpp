#pragma once

// The operator shell's messages on the wire (CAF 0.17 inspect). Included
// only by the operator actor's .cpp and by the shell client: it pulls in
// CAF headers, so keep it out of widely included headers.
#include <caf/actor_system_config.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace nzl::actors::operator_shell {

/// Version of the operator protocol; a node answers a command of another
/// version with status 2 and says which it speaks.
constexpr std::uint32_t protocol_version = 1;

/// The middleman's application identifier of operator endpoints: a shell
/// cannot connect to a cluster port by mistake, nor a peer to this one.
inline const std::string app_identifier = "noizylab-operator/1";

/// One command line of the shell, split into words.
struct command_msg {
  std::uint32_t version = protocol_version;
  std::uint64_t id = 0; ///< echoed in the reply: a late reply to an earlier command is ignored
  std::vector<std::string> words;
  std::string identity; ///< what the client says it is ("local:<uid>"); TLS off only
};

/// The answer, sent to the command's sender as a plain message (not a CAF
/// response: the shell waits for it together with the down message of the
/// node): status 0 done, 1 refused or failed by the node, 2 usage; `body` is
/// JSON text.
struct reply_msg {
  std::uint64_t id = 0;
  std::int32_t status = 0;
  std::string body;
  std::string error;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, command_msg& x) {
  return f(caf::meta::type_name("nzl_op_command"), x.version, x.id, x.words, x.identity);
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, reply_msg& x) {
  return f(caf::meta::type_name("nzl_op_reply"), x.id, x.status, x.body, x.error);
}

/// Registers both messages under their wire names (node and shell alike).
inline void register_messages(caf::actor_system_config& cfg) {
  cfg.add_message_type<command_msg>("nzl_op_command");
  cfg.add_message_type<reply_msg>("nzl_op_reply");
}

} // namespace nzl::actors::operator_shell
