#include "security/sealed_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <optional>
#include <unistd.h>

namespace nzl::security {
namespace {

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    return -1;
  };
  if (text.size() % 2 != 0)
    return std::nullopt;
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    int hi = value(text[i]);
    int lo = value(text[i + 1]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

// The file's first line; nullopt when there is no file. Bounded: a secret
// file is a line of a few hundred bytes.
result<std::optional<std::string>> read_first_line(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) && !ec)
    return std::optional<std::string>{};
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return fail(errc::storage_failed, "cannot read " + path.string());
  std::string line;
  line.resize(4096);
  in.read(line.data(), static_cast<std::streamsize>(line.size()));
  line.resize(static_cast<std::size_t>(in.gcount()));
  if (auto nl = line.find('\n'); nl != std::string::npos)
    line.resize(nl);
  else if (line.size() == 4096)
    return fail(errc::storage_failed, path.string() + " is not a secret file (too long)");
  return std::optional<std::string>{std::move(line)};
}

// Writes `content` to `path` with mode 0600: exclusively (a new file), or
// through a temporary file renamed over it (replace).
result<bool> write_private_file(const std::filesystem::path& path, const std::string& content,
                                bool replace) {
  const auto target = replace ? std::filesystem::path{path.string() + ".tmp"} : path;
  if (replace)
    ::unlink(target.c_str());
  int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return fail(errc::storage_failed,
                "cannot create " + target.string() + ": " + std::strerror(errno));
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (ok && replace)
    ok = ::rename(target.c_str(), path.c_str()) == 0;
  if (!ok) {
    ::unlink(target.c_str());
    return fail(errc::storage_failed, "cannot write " + path.string());
  }
  return true;
}

result<std::string> seal_line(const node_key& key, std::string_view secret, std::string_view aad) {
  auto sealed = seal(key, secret, aad);
  if (!sealed)
    return std::move(sealed).err();
  return std::string{sealed_file_prefix} + to_hex(*sealed) + "\n";
}

result<std::string> open_line(const std::filesystem::path& path, std::string_view line,
                              const node_key& key, std::string_view aad) {
  auto bytes = from_hex(line.substr(sealed_file_prefix.size()));
  if (!bytes)
    return fail(errc::storage_failed, path.string() + " holds a damaged sealed secret");
  auto secret = open(key, *bytes, aad);
  if (!secret)
    return fail(errc::storage_failed,
                path.string() +
                    " does not open under this node key (sealed under another key, or altered)");
  return secret;
}

} // namespace

result<sealed_secret>
load_or_create_sealed_secret(const std::filesystem::path& path, const node_key& key,
                             std::string_view aad, const std::function<std::string()>& make,
                             const std::function<bool(std::string_view)>& valid) {
  auto line = read_first_line(path);
  if (!line)
    return std::move(line).err();
  if (!*line) {
    auto secret = make();
    auto sealed = seal_line(key, secret, aad);
    if (!sealed)
      return std::move(sealed).err();
    if (auto written = write_private_file(path, *sealed, false); !written)
      return std::move(written).err();
    return sealed_secret{std::move(secret), sealed_file_origin::created};
  }
  std::string_view text = **line;
  if (text.starts_with(sealed_file_prefix)) {
    auto secret = open_line(path, text, key, aad);
    if (!secret)
      return std::move(secret).err();
    return sealed_secret{std::move(*secret), sealed_file_origin::opened};
  }
  if (!valid(text))
    return fail(errc::storage_failed, path.string() + " holds neither a sealed nor a plain secret");
  std::string secret{text};
  auto sealed = seal_line(key, secret, aad);
  if (!sealed)
    return std::move(sealed).err();
  if (auto written = write_private_file(path, *sealed, true); !written)
    return std::move(written).err();
  return sealed_secret{std::move(secret), sealed_file_origin::sealed};
}

result<std::string> read_sealed_secret(const std::filesystem::path& path, const node_key& key,
                                       std::string_view aad) {
  auto line = read_first_line(path);
  if (!line)
    return std::move(line).err();
  if (!*line)
    return fail(errc::storage_failed, "no secret file " + path.string());
  if (!(*line)->starts_with(sealed_file_prefix))
    return fail(errc::storage_failed, path.string() + " is not sealed yet (start the node once)");
  return open_line(path, **line, key, aad);
}

} // namespace nzl::security
