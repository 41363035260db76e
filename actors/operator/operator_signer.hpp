#pragma once

#include "actors/operator/command_proof.hpp"
#include "core/result.hpp"

#include <cstdint>
#include <memory>
#include <openssl/types.h>
#include <span>
#include <string>
#include <string_view>

namespace nzl::actors::operator_shell {

/// The shell's half of the operator identity (docs/shell.md "Identity"):
/// holds the operator's certificate (PEM, as sent) and private key (RSA, EC
/// or Ed25519; never copied out, never logged) and signs each command.
/// Immutable after loading: safe to share between threads.
class operator_signer {
public:
  /// Reads the certificate (leaf first, chain optional; at most
  /// max_certificate_bytes) and the unencrypted private key. Only the
  /// certificates are sent, written out again (a file holding the key too
  /// never sends it). invalid_field
  /// when a file cannot be read or parsed, or the key is not the
  /// certificate's.
  [[nodiscard]] static result<operator_signer> from_files(const std::string& cert_file,
                                                          const std::string& key_file);

  /// The same from PEM text (tests).
  [[nodiscard]] static result<operator_signer> from_pem(std::string certificate_pem,
                                                        std::string_view key_pem);

  /// A proof for `words` sent to the node `target` at `now_ms` (unix
  /// milliseconds): a fresh random nonce and the signature over
  /// canonical_command(...). internal if the random source or the signing
  /// fails.
  [[nodiscard]] result<command_proof>
  sign(std::string_view target, std::span<const std::string> words, std::int64_t now_ms) const;

  /// The certificate's subject, RFC 2253 ("CN=alice,O=ops").
  [[nodiscard]] const std::string& subject() const noexcept { return subject_; }

private:
  operator_signer(std::string certificate, std::shared_ptr<EVP_PKEY> key, std::string subject);

  std::string certificate_;
  std::shared_ptr<EVP_PKEY> key_; // only EVP_DigestSign reads it
  std::string subject_;
};

} // namespace nzl::actors::operator_shell
