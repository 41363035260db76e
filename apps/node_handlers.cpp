#include "apps/node_handlers.hpp"

#include "net/outbound/http_client.hpp"
#include "plugins/api_tester/api_tester_handler.hpp"
#include "plugins/image_metadata/image_metadata_handler.hpp"
#include "plugins/smart_routing/routing_handlers.hpp"
#include "plugins/text_analysis/text_analysis_handler.hpp"

#include <future>

namespace nzl::apps {

namespace {

net::outbound::http_client_options egress_client_options(const config::manifest& m) {
  net::outbound::http_client_options opts;
  opts.egress.allow_loopback = m.egress.allow_loopback;
  opts.egress.allow_private = m.egress.allow_private;
  opts.egress.allow_link_local = m.egress.allow_link_local;
  opts.egress.allow_cidrs = m.egress.allow_cidrs;
  opts.egress.deny_cidrs = m.egress.deny_cidrs;
  opts.io_threads = 1;
  opts.user_agent = "noizylab-cloud-agent";
  return opts;
}

// GET `url` through the egress-checked client, at most `max_bytes` of body;
// blocks the calling executor thread (handlers run there).
result<std::string> fetch(net::outbound::http_client& client, const std::string& url,
                          std::size_t max_bytes) {
  net::outbound::outbound_request req;
  req.method = "GET";
  req.url = url;
  req.timeout_ms = 10'000;
  req.max_response_bytes = max_bytes;
  req.max_redirects = 3;
  std::promise<result<net::outbound::outbound_response>> promise;
  auto future = promise.get_future();
  client.send(std::move(req), [&promise](result<net::outbound::outbound_response> r) {
    promise.set_value(std::move(r));
  });
  auto response = future.get();
  if (!response)
    return std::move(response).err();
  if (response->status != 200)
    return fail(errc::upstream_failed,
                "fetching the image answered HTTP " + std::to_string(response->status),
                {{"url", url}, {"status", response->status}});
  if (response->body_truncated)
    return fail(errc::task_failed, "the image at the URL is over the size limit",
                {{"url", url}, {"limit_bytes", max_bytes}});
  return std::move(response->body);
}

} // namespace

result<bool> register_builtin_handlers(const std::shared_ptr<plugins::handler_registry>& registry,
                                       const config::manifest& m) {
  plugins::add_builtin_handlers(*registry);
  auto client = std::make_shared<net::outbound::http_client>(egress_client_options(m));

  registry->add(
      std::make_shared<plugins::text_analysis::text_analysis_handler>(m.handlers.text_max_bytes));

  plugins::image_metadata::handler_options image;
  image.max_image_bytes = m.handlers.image_max_bytes;
  image.max_pixels = m.handlers.image_max_pixels;
  image.fetch = [client, max = m.handlers.image_max_bytes](const std::string& url) {
    return fetch(*client, url, max);
  };
  registry->add(std::make_shared<plugins::image_metadata::image_metadata_handler>(image));

  plugins::api_tester::api_tester_limits limits;
  limits.max_endpoints = m.handlers.api_tester_max_endpoints;
  limits.max_concurrency = static_cast<unsigned>(m.handlers.api_tester_max_concurrency);
  registry->add(std::make_shared<plugins::api_tester::api_tester_handler>(client, limits));

  // The registry owns these handlers, so it outlives them: a raw pointer.
  const plugins::handler_registry* reg = registry.get();
  plugins::smart_routing::routing_dependencies routing;
  routing.find_handler = [reg](std::string_view type) {
    return reg->find(type);
  };
  routing.recent_p95_ms = [reg](std::string_view type) {
    return reg->recent_p95_ms(type);
  };
  registry->add(std::make_shared<plugins::smart_routing::smart_routing_handler>(routing));
  registry->add(std::make_shared<plugins::smart_routing::auto_handler>(routing));
  return true;
}

} // namespace nzl::apps
