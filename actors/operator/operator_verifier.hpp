#pragma once

#include "actors/operator/command_proof.hpp"
#include "core/result.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace nzl::actors::operator_shell {

/// How the node checks the shell's proofs (docs/shell.md "Identity").
struct verifier_options {
  std::string ca_file; ///< the cluster CA (cluster.tls.ca_file), PEM; read once
  /// A command's timestamp may be this far from the node's clock, either way.
  std::chrono::milliseconds window{std::chrono::seconds(60)};
  /// Nonces remembered until their timestamp + window: at most this many
  /// (about 40 bytes each); when full of live ones a command is refused
  /// (retry later), never a nonce forgotten.
  std::size_t max_nonces = 16384;
  /// Certificates whose chain was checked, by the SHA-256 of their PEM text
  /// as sent: at most this many (the oldest is dropped first), each trusted
  /// for `cache_ttl` before its chain is checked again. Their validity dates
  /// are checked on every command. 0: no cache.
  std::size_t max_cached_certificates = 256;
  std::chrono::milliseconds cache_ttl{std::chrono::minutes(10)};
};

/// The node's half of the operator identity: checks a command's proof and
/// names the operator by the certificate's subject. Checks, in order: the
/// bounds of the proof, the timestamp (within `window` of the injected
/// clock), the certificate (chains to the cluster CA at the clock's time,
/// is within its validity, is for client authentication if it says what it
/// is for (extended key usage), allows digital signatures if it has a key
/// usage), the signature (over canonical_command(target, ...) with the
/// certificate's key: RSA or EC with SHA-256, Ed25519), and last the nonce
/// (not seen with this certificate, by its SHA-256 fingerprint, within the
/// window). A refused command does not consume its nonce.
///
/// A plain class (no CAF) with an injected clock; not thread-safe: one
/// owner (the operator actor) calls it.
class operator_verifier {
public:
  /// Unix milliseconds now.
  using clock = std::function<std::int64_t()>;

  /// Loads the CA file. invalid_field when it cannot be read or holds no
  /// certificate.
  [[nodiscard]] static result<std::unique_ptr<operator_verifier>> create(verifier_options options,
                                                                         clock now);
  ~operator_verifier();
  operator_verifier(const operator_verifier&) = delete;
  operator_verifier& operator=(const operator_verifier&) = delete;

  /// The operator's certificate subject (RFC 2253, "CN=alice,O=ops";
  /// "SHA256:<fingerprint>" when it is empty or over max_identity_bytes) if
  /// `proof` proves that its holder sent `words` to `target` (this node's
  /// CAF node id) just now, for the first time. Otherwise unauthenticated
  /// with what failed ("operator certificate not issued by the cluster CA
  /// (...)", "signature does not verify", "stale timestamp: ...", "replayed
  /// command: ..."), or overloaded when the nonce window is full.
  [[nodiscard]] result<std::string>
  verify(std::string_view target, std::span<const std::string> words, const command_proof& proof);

  /// The subject of the first certificate of `pem`, unverified (for the
  /// audit record of a refusal), cut at max_identity_bytes; "" if it does
  /// not parse.
  [[nodiscard]] static std::string claimed_subject(std::string_view pem);

  [[nodiscard]] std::size_t cached_certificates() const noexcept;
  [[nodiscard]] std::size_t remembered_nonces() const noexcept;

private:
  struct impl;
  explicit operator_verifier(std::unique_ptr<impl> d);
  std::unique_ptr<impl> impl_;
};

} // namespace nzl::actors::operator_shell
