#include "analytics/usage.hpp"

#include <nlohmann/json.hpp>

namespace nzl::analytics {

void usage::add(const sample& s) noexcept {
  ++count;
  switch (class_of(s.status)) {
  case status_class::client_error:
    ++client_errors;
    break;
  case status_class::server_error:
    ++server_errors;
    break;
  case status_class::ok:
    break;
  }
  if ((s.flags & flag_rate_limited) != 0)
    ++rate_limited;
  if ((s.flags & flag_durable) != 0)
    ++durable;
  bytes_in += s.request_bytes;
  bytes_out += s.response_bytes;
  latency_us_sum += s.latency_us;
}

void usage::merge(const usage& o) noexcept {
  count += o.count;
  client_errors += o.client_errors;
  server_errors += o.server_errors;
  rate_limited += o.rate_limited;
  durable += o.durable;
  bytes_in += o.bytes_in;
  bytes_out += o.bytes_out;
  latency_us_sum += o.latency_us_sum;
}

double usage::error_rate() const noexcept {
  return count == 0 ? 0.0 : static_cast<double>(server_errors) / static_cast<double>(count);
}

nlohmann::json usage::to_json() const {
  return {{"count", count},
          {"client_errors", client_errors},
          {"server_errors", server_errors},
          {"rate_limited", rate_limited},
          {"durable", durable},
          {"bytes_in", bytes_in},
          {"bytes_out", bytes_out},
          {"latency_us_sum", latency_us_sum}};
}

result<usage> usage::from_json(const nlohmann::json& j) {
  if (!j.is_object())
    return fail(errc::invalid_field, "usage: not an object");
  usage u;
  const std::pair<const char*, std::uint64_t*> fields[] = {{"count", &u.count},
                                                           {"client_errors", &u.client_errors},
                                                           {"server_errors", &u.server_errors},
                                                           {"rate_limited", &u.rate_limited},
                                                           {"durable", &u.durable},
                                                           {"bytes_in", &u.bytes_in},
                                                           {"bytes_out", &u.bytes_out},
                                                           {"latency_us_sum", &u.latency_us_sum}};
  for (const auto& [name, field] : fields) {
    auto it = j.find(name);
    if (it == j.end() || !it->is_number_unsigned())
      return fail(errc::invalid_field, std::string{"usage: bad "} + name);
    *field = it->get<std::uint64_t>();
  }
  return u;
}

std::string_view to_string(status_class c) noexcept {
  switch (c) {
  case status_class::ok:
    return "ok";
  case status_class::client_error:
    return "client_error";
  case status_class::server_error:
    return "server_error";
  }
  return "ok";
}

result<status_class> parse_status_class(std::string_view text) {
  for (auto c : {status_class::ok, status_class::client_error, status_class::server_error})
    if (to_string(c) == text)
      return c;
  return fail(errc::invalid_field, "unknown status class");
}

} // namespace nzl::analytics
