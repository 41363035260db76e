#pragma once

#include "core/result.hpp"
#include "security/aes_gcm.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace nzl::security {

// A secret the node keeps in a file of its data directory (the webhook
// signing secret), sealed under the node key like the secrets in LMDB: the
// file holds "sealed:v1:" + hex(seal(key, secret, aad)), mode 0600. The
// `aad` names the file's purpose, so a sealed value copied to another
// purpose does not open.

/// The first line a sealed secret file starts with, before the hex.
inline constexpr std::string_view sealed_file_prefix = "sealed:v1:";

/// What `load_or_create_sealed_secret` found.
enum class sealed_file_origin {
  opened,  ///< the file held a sealed secret
  created, ///< there was no file: a new secret was made and sealed
  sealed,  ///< the file held the secret in plain text (as before sealing
           ///< existed): it is now sealed in place
};

struct sealed_secret {
  std::string secret;
  sealed_file_origin origin = sealed_file_origin::opened;
};

/// The secret in the file at `path`, opened with `key`. Without a file, a
/// secret from `make` is sealed into a new one (created with O_EXCL, fsynced).
/// A file that holds a plain-text secret accepted by `valid` is rewritten
/// sealed (a temporary file renamed over it). Fails with a message naming the
/// path when the file cannot be read or written, holds neither form, or does
/// not open under `key` (another node key, or altered).
[[nodiscard]] result<sealed_secret>
load_or_create_sealed_secret(const std::filesystem::path& path, const node_key& key,
                             std::string_view aad, const std::function<std::string()>& make,
                             const std::function<bool(std::string_view)>& valid);

/// The secret in the sealed file at `path` (never creates or rewrites it).
[[nodiscard]] result<std::string> read_sealed_secret(const std::filesystem::path& path,
                                                     const node_key& key, std::string_view aad);

} // namespace nzl::security
