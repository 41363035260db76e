#include "actors/operator/command_proof.hpp"

namespace nzl::actors::operator_shell {

namespace {

void append_field(std::string& out, std::string_view field) {
  const auto n = static_cast<std::uint32_t>(field.size());
  out.push_back(static_cast<char>((n >> 24) & 0xff));
  out.push_back(static_cast<char>((n >> 16) & 0xff));
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  out.push_back(static_cast<char>(n & 0xff));
  out.append(field);
}

} // namespace

std::string canonical_command(std::string_view target, std::int64_t timestamp_ms,
                              std::string_view nonce, std::span<const std::string> words) {
  std::string out;
  std::size_t size =
      proof_tag.size() + 1 + 4 * (4 + words.size()) + target.size() + nonce.size() + 40;
  for (const auto& w : words)
    size += w.size();
  out.reserve(size);
  out.append(proof_tag);
  out.push_back('\0');
  append_field(out, target);
  append_field(out, std::to_string(timestamp_ms));
  append_field(out, nonce);
  append_field(out, std::to_string(words.size()));
  for (const auto& w : words)
    append_field(out, w);
  return out;
}

bool well_formed_nonce(std::string_view nonce) noexcept {
  if (nonce.size() != nonce_hex_digits)
    return false;
  for (char c : nonce)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

} // namespace nzl::actors::operator_shell
