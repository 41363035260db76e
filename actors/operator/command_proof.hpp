#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace nzl::actors::operator_shell {

/// What a shell with cluster TLS sends with every command to prove who runs
/// it (docs/shell.md "Identity"). Plain values: it crosses the wire inside
/// the command message.
struct command_proof {
  /// The operator's certificate, PEM; further certificates after it
  /// (intermediates up to the cluster CA) are optional.
  std::string certificate;
  std::int64_t timestamp_ms = 0; ///< the shell's clock, unix milliseconds
  std::string nonce;             ///< 32 lowercase hex digits, fresh per command
  std::string signature;         ///< raw bytes, over canonical_command(...)
};

/// Bounds the node enforces before parsing anything.
constexpr std::size_t max_certificate_bytes = 32 * 1024; ///< the PEM, chain included
constexpr std::size_t max_chain_certificates = 8;
constexpr std::size_t max_signature_bytes = 1024; ///< RSA 8192 is 1024 bytes
constexpr std::size_t nonce_hex_digits = 32;      ///< 128 random bits
/// Longest subject used as an identity; a longer one is replaced by the
/// certificate's fingerprint ("SHA256:<hex>").
constexpr std::size_t max_identity_bytes = 256;

/// Names the byte string below; a signature of another protocol version
/// never verifies as one of this.
constexpr std::string_view proof_tag = "noizylab-operator-command/2";

/// The bytes the shell signs and the node verifies: `proof_tag`, a NUL,
/// then `target` (the CAF node id of the node's operator endpoint, as
/// caf::to_string renders it), the timestamp in decimal, the nonce, the
/// number of words in decimal and each word, every field as a 4-byte
/// big-endian length and its bytes. Unambiguous: no two different inputs
/// give the same bytes.
[[nodiscard]] std::string canonical_command(std::string_view target, std::int64_t timestamp_ms,
                                            std::string_view nonce,
                                            std::span<const std::string> words);

/// True for exactly `nonce_hex_digits` characters of [0-9a-f].
[[nodiscard]] bool well_formed_nonce(std::string_view nonce) noexcept;

} // namespace nzl::actors::operator_shell
