#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::security::test {

// A minimal MaxMind DB writer for tests, following the published MaxMind DB
// File Format Specification 2.0: an IPv6 search tree (IPv4 networks live
// under ::/96) with 24-bit records, a data section of encoded values, and the
// metadata map after "\xAB\xCD\xEFMaxMind.com". No pointers, no
// deduplication: enough for small databases made inside a test.

/// Encoders of single data-section values (field types of the spec).
std::string mmdb_string(std::string_view text);
std::string mmdb_uint16(std::uint16_t value);
std::string mmdb_uint32(std::uint32_t value);
std::string mmdb_uint64(std::uint64_t value);
/// A map header for `pairs` key/value pairs; append key and value encodings after it.
std::string mmdb_map_header(std::size_t pairs);
/// An array header for `items` values; append the values after it.
std::string mmdb_array_header(std::size_t items);

/// `{"country": {"iso_code": code}}`, the shape GeoIP2 Country records have.
std::string mmdb_country_record(std::string_view iso_code);

class mmdb_writer {
public:
  /// Maps a network ("192.0.2.0/24", "2001:db8::/32") to an encoded value.
  /// Later, more specific networks override earlier, broader ones; a broader
  /// network added later replaces everything under it. False if malformed.
  bool add(std::string_view network, const std::string& encoded_value);

  /// The whole file.
  [[nodiscard]] std::string build() const;

  /// Writes `build()` to `path`; false on failure.
  bool write_file(const std::string& path) const;

private:
  // A record: a node index, empty, or a data-section offset.
  struct record {
    enum class kind : std::uint8_t { empty, node, data } what = kind::empty;
    std::uint32_t value = 0;
  };
  struct node {
    record child[2];
  };
  std::vector<node> nodes_{node{}};
  std::string data_;
};

} // namespace nzl::security::test
