#include "security/geo.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cstring>
#include <maxminddb.h>
#include <netinet/in.h>

namespace nzl::security {

void geo_db::mmdb_deleter::operator()(MMDB_s* db) const noexcept {
  MMDB_close(db);
  delete db;
}

geo_db::geo_db(geo_db&&) noexcept = default;
geo_db& geo_db::operator=(geo_db&&) noexcept = default;
geo_db::~geo_db() = default;

result<geo_db> geo_db::open(const std::string& path) {
  auto raw = std::make_unique<MMDB_s>();
  int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, raw.get());
  if (status != MMDB_SUCCESS)
    return fail(errc::invalid_field,
                "cannot open GeoIP database " + path + ": " + MMDB_strerror(status));
  geo_db out;
  out.db_.reset(raw.release());
  return out;
}

std::optional<std::string> geo_db::country(const ip_address& ip) const {
  if (!db_)
    return std::nullopt;
  sockaddr_storage storage{};
  if (ip.is_v4()) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    v4->sin_family = AF_INET;
    std::memcpy(&v4->sin_addr, ip.bytes().data() + 12, 4);
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    v6->sin6_family = AF_INET6;
    std::memcpy(&v6->sin6_addr, ip.bytes().data(), 16);
  }
  int mmdb_error = MMDB_SUCCESS;
  MMDB_lookup_result_s found =
      MMDB_lookup_sockaddr(db_.get(), reinterpret_cast<const sockaddr*>(&storage), &mmdb_error);
  if (mmdb_error != MMDB_SUCCESS || !found.found_entry)
    return std::nullopt;
  MMDB_entry_data_s data{};
  int status = MMDB_get_value(&found.entry, &data, "country", "iso_code", nullptr);
  if (status != MMDB_SUCCESS || !data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING)
    return std::nullopt;
  std::string_view code(data.utf8_string, data.data_size);
  return normalize_country_code(code);
}

bool valid_country_code(std::string_view code) noexcept {
  if (code.size() != 2)
    return false;
  auto upper = [](char c) {
    return c >= 'A' && c <= 'Z';
  };
  auto digit = [](char c) {
    return c >= '0' && c <= '9';
  };
  return upper(code[0]) && (upper(code[1]) || digit(code[1]));
}

std::optional<std::string> normalize_country_code(std::string_view code) {
  if (code.size() != 2)
    return std::nullopt;
  std::string out(code);
  for (char& c : out)
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
  if (!valid_country_code(out))
    return std::nullopt;
  return out;
}

result<std::vector<std::string>> parse_country_codes(const std::vector<std::string>& codes) {
  std::vector<std::string> out;
  out.reserve(codes.size());
  for (std::size_t i = 0; i < codes.size(); ++i) {
    auto code = normalize_country_code(codes[i]);
    if (!code)
      return fail(errc::invalid_field,
                  "not an ISO 3166-1 alpha-2 country code: " + codes[i].substr(0, 16),
                  {{"index", i}});
    out.push_back(std::move(*code));
  }
  return out;
}

std::optional<std::string> resolve_country(const geo_db* db, const ip_address& client,
                                           bool peer_trusted, std::string_view cf_ipcountry) {
  if (db)
    return db->country(client);
  if (!peer_trusted)
    return std::nullopt;
  auto code = normalize_country_code(cf_ipcountry);
  if (!code || *code == "XX")
    return std::nullopt;
  return code;
}

country_decision country_rules::decide(const std::optional<std::string>& country) const {
  auto listed = [&](const std::vector<std::string>& list) {
    return country && std::find(list.begin(), list.end(), *country) != list.end();
  };
  if (listed(deny))
    return {country_decision::kind::denied};
  if (allow.empty() || listed(allow))
    return {country_decision::kind::allowed};
  return {country_decision::kind::not_in_allow_list};
}

} // namespace nzl::security
