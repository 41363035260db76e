#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nzl::net::outbound::webhook {

/// Standard Webhooks signatures (https://www.standardwebhooks.com/). A secret
/// is "whsec_" followed by the base64 of the key bytes (a secret without the
/// prefix is read as bare base64, as the reference libraries do). The
/// message signed is "<msg_id>.<timestamp>.<body>"; the signature header
/// value is "v1,<base64 HMAC-SHA256>". Thread-safe; no state.

/// Whether `secret` decodes to a usable key (non-empty, valid base64).
[[nodiscard]] bool valid_secret(std::string_view secret);

/// The `webhook-signature` header value for one message, "v1,<base64>".
/// Returns an empty string if the secret is not valid (check it with
/// `valid_secret` when the configuration is loaded).
[[nodiscard]] std::string sign(std::string_view secret, std::string_view msg_id,
                               std::int64_t timestamp, std::string_view body);

/// Whether one of the space-separated signatures in `signature_header`
/// ("v1,abc= v1,def=") is the v1 signature of the message under `secret`.
/// Compares in constant time. Unknown versions are ignored. The caller must
/// also check that `timestamp` is recent (Standard Webhooks suggests within
/// five minutes) to stop replays.
[[nodiscard]] bool verify(std::string_view secret, std::string_view msg_id, std::int64_t timestamp,
                          std::string_view body, std::string_view signature_header);

/// A new random secret: "whsec_" + base64 of 32 bytes from RAND_bytes.
[[nodiscard]] std::string generate_secret();

} // namespace nzl::net::outbound::webhook
