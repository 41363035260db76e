#pragma once

#include "net/security_service.hpp"
#include "security/aes_gcm.hpp"
#include "storage/fwd.hpp"

#include <caf/fwd.hpp>

#include <memory>
#include <string>

namespace nzl::cluster {
class peer_messaging;
} // namespace nzl::cluster

namespace nzl::actors {

struct security_store_options {
  std::int64_t signature_window_s = 300;
  std::int64_t audit_retention_days = 30;
  std::size_t max_nonces = 1'000'000;     ///< remembered at once, every key together
  std::size_t max_rate_buckets = 100'000; ///< in memory; the fullest go first
  std::size_t max_keys = 100'000;
};

/// The gateway's state (implements net::security_service): API keys, nonces,
/// rate-limit buckets and the audit log, in memory for the request path and
/// in LMDB so that a restart keeps them. See the design comment at the top
/// of security_store.cpp.
class security_store final : public net::security_service {
public:
  /// Loads keys, unexpired nonces and rate buckets from `env` and starts the
  /// background writer. `writer` is the node's storage writer (group commit).
  /// Fails when a stored key cannot be opened (wrong node key, damage).
  [[nodiscard]] static result<std::unique_ptr<security_store>>
  open(caf::actor_system& system, std::shared_ptr<storage::environment> env, caf::actor writer,
       security::node_key key, security_store_options options);

  ~security_store() override;
  security_store(const security_store&) = delete;
  security_store& operator=(const security_store&) = delete;

  /// Writes what is pending (audit, nonces, buckets) and marks the stop as
  /// clean; later calls do nothing. Call before the storage writer stops.
  void close();

  /// Ensures an admin key whose text is `key` exists (stored hashed; used by
  /// scripts/run and tests to bootstrap a node). Synchronous: commits before
  /// returning. Does nothing when a key with that hash exists.
  [[nodiscard]] result<bool> ensure_admin_key(std::string_view key, std::string_view name,
                                              std::string_view signing_secret = {});

  /// Shares this node's keys, and the nonces of the signed requests it
  /// accepts, with the other nodes of the cluster over `peers` (topics
  /// `keys.records`, `keys.digest`, `keys.nonces`; docs/security.md, "Keys in
  /// a cluster"): a local key change is sent to every peer once it is
  /// durable, every 2 s the nodes compare digests of their key sets and send
  /// each other what differs, and received records are merged
  /// (security/key_merge.hpp) and stored. Call once, after `open` and before
  /// traffic; `peers` must stay valid until `close`.
  void replicate_over(nzl::cluster::peer_messaging& peers);

  std::shared_ptr<const net::key_entry> find_key(const security::key_digest& digest) const override;
  std::uint64_t keys_version() const noexcept override;
  nonce_verdict remember_nonce(std::string_view key_id, std::string_view nonce,
                               std::int64_t expires_at_s) override;
  std::int64_t replay_fence_s() const noexcept override;
  security::take_result take_tokens(std::string_view bucket, const security::rate_tier& tier,
                                    std::int64_t n) override;
  void audit(net::audit_entry entry) override;
  void create_key(net::key_spec spec, json_handler done) override;
  void list_keys(json_handler done) override;
  void revoke_key(std::string id, json_handler done) override;
  void rotate_key(std::string id, std::int64_t grace_s, json_handler done) override;
  void query_audit(net::audit_query query, json_handler done) override;

  struct impl;

private:
  explicit security_store(std::unique_ptr<impl> d);
  std::unique_ptr<impl> impl_;
};

} // namespace nzl::actors
