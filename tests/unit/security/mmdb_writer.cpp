#include "mmdb_writer.hpp"

#include "security/cidr.hpp"

#include <fstream>

namespace nzl::security::test {

namespace {

enum : std::uint8_t {
  type_string = 2,
  type_uint16 = 5,
  type_uint32 = 6,
  type_map = 7,
  type_uint64 = 9,
  type_array = 11,
};

// Control byte(s) for a field of `type` and payload `size` (spec: "Data
// Section", sizes 29/30/31 take 1/2/3 extra bytes; types above 7 are
// "extended": type bits 0 and a second byte holding type - 7).
std::string control(std::uint8_t type, std::size_t size) {
  std::string out;
  std::uint8_t type_bits = type <= 7 ? type : 0;
  std::string size_bytes;
  std::uint8_t size_bits = 0;
  if (size < 29) {
    size_bits = static_cast<std::uint8_t>(size);
  } else if (size < 29 + 256) {
    size_bits = 29;
    size_bytes.push_back(static_cast<char>(size - 29));
  } else if (size < 285 + 65536) {
    size_bits = 30;
    std::size_t rest = size - 285;
    size_bytes.push_back(static_cast<char>(rest >> 8));
    size_bytes.push_back(static_cast<char>(rest & 0xff));
  } else {
    size_bits = 31;
    std::size_t rest = size - 65821;
    size_bytes.push_back(static_cast<char>((rest >> 16) & 0xff));
    size_bytes.push_back(static_cast<char>((rest >> 8) & 0xff));
    size_bytes.push_back(static_cast<char>(rest & 0xff));
  }
  out.push_back(static_cast<char>((type_bits << 5) | size_bits));
  if (type > 7)
    out.push_back(static_cast<char>(type - 7));
  out += size_bytes;
  return out;
}

std::string unsigned_field(std::uint8_t type, std::uint64_t value) {
  std::string payload;
  while (value != 0) {
    payload.insert(payload.begin(), static_cast<char>(value & 0xff));
    value >>= 8;
  }
  return control(type, payload.size()) + payload;
}

void put24(std::string& out, std::uint32_t value) {
  out.push_back(static_cast<char>((value >> 16) & 0xff));
  out.push_back(static_cast<char>((value >> 8) & 0xff));
  out.push_back(static_cast<char>(value & 0xff));
}

} // namespace

std::string mmdb_string(std::string_view text) {
  return control(type_string, text.size()) + std::string(text);
}
std::string mmdb_uint16(std::uint16_t value) {
  return unsigned_field(type_uint16, value);
}
std::string mmdb_uint32(std::uint32_t value) {
  return unsigned_field(type_uint32, value);
}
std::string mmdb_uint64(std::uint64_t value) {
  return unsigned_field(type_uint64, value);
}
std::string mmdb_map_header(std::size_t pairs) {
  return control(type_map, pairs);
}
std::string mmdb_array_header(std::size_t items) {
  return control(type_array, items);
}

std::string mmdb_country_record(std::string_view iso_code) {
  return mmdb_map_header(1) + mmdb_string("country") + mmdb_map_header(1) +
         mmdb_string("iso_code") + mmdb_string(iso_code);
}

bool mmdb_writer::add(std::string_view network, const std::string& encoded_value) {
  auto parsed = cidr::parse(network);
  if (!parsed)
    return false;
  // In the tree IPv4 lives under ::/96, not under ::ffff:0:0/96 as in our
  // 16-byte form.
  auto address = ip_address::parse(std::string_view(network).substr(0, network.find('/')));
  if (!address)
    return false;
  auto bytes = address->bytes();
  int bits = parsed->prefix_length();
  if (address->is_v4() && network.find(':') == std::string_view::npos) {
    for (int i = 10; i < 12; ++i)
      bytes[static_cast<std::size_t>(i)] = 0;
    bits += 96;
  }
  if (bits == 0)
    return false; // the root itself cannot hold data
  auto offset = static_cast<std::uint32_t>(data_.size());
  data_ += encoded_value;

  std::uint32_t current = 0;
  for (int depth = 0; depth < bits; ++depth) {
    int bit = (bytes[static_cast<std::size_t>(depth / 8)] >> (7 - depth % 8)) & 1;
    if (depth == bits - 1) {
      nodes_[current].child[bit] = {record::kind::data, offset};
      break;
    }
    record next = nodes_[current].child[bit];
    if (next.what != record::kind::node) {
      // Split an empty or data record: both halves keep what it held.
      nodes_.push_back(node{{next, next}});
      auto index = static_cast<std::uint32_t>(nodes_.size() - 1);
      nodes_[current].child[bit] = {record::kind::node, index};
      current = index;
    } else {
      current = next.value;
    }
  }
  return true;
}

std::string mmdb_writer::build() const {
  auto node_count = static_cast<std::uint32_t>(nodes_.size());
  std::string out;
  auto record_value = [&](const record& r) -> std::uint32_t {
    switch (r.what) {
    case record::kind::node:
      return r.value;
    case record::kind::data:
      return node_count + 16 + r.value;
    case record::kind::empty:
      break;
    }
    return node_count;
  };
  for (const auto& n : nodes_) {
    put24(out, record_value(n.child[0]));
    put24(out, record_value(n.child[1]));
  }
  out.append(16, '\0'); // data section separator
  out += data_;
  out += std::string("\xAB\xCD\xEF", 3) + "MaxMind.com";
  out += mmdb_map_header(9);
  out += mmdb_string("binary_format_major_version") + mmdb_uint16(2);
  out += mmdb_string("binary_format_minor_version") + mmdb_uint16(0);
  out += mmdb_string("build_epoch") + mmdb_uint64(1'700'000'000);
  out += mmdb_string("database_type") + mmdb_string("NZL-Test-Country");
  out += mmdb_string("description") + mmdb_map_header(1) + mmdb_string("en") +
         mmdb_string("test database");
  out += mmdb_string("ip_version") + mmdb_uint16(6);
  out += mmdb_string("languages") + mmdb_array_header(1) + mmdb_string("en");
  out += mmdb_string("node_count") + mmdb_uint32(node_count);
  out += mmdb_string("record_size") + mmdb_uint16(24);
  return out;
}

bool mmdb_writer::write_file(const std::string& path) const {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  std::string bytes = build();
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(file);
}

} // namespace nzl::security::test
