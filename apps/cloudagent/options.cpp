#include "apps/cloudagent/options.hpp"

#include "apps/cloudagent/values.hpp"

#include <array>
#include <cstdlib>

namespace nzl::cli {

namespace {

constexpr std::array global_specs{
    option_spec{"node", "URL", "the node's base URL (env NZL_NODE; default http://127.0.0.1:8081)"},
    option_spec{"key", "KEY",
                "admin API key (prefer env NZL_API_KEY: a key on the command line shows in ps)"},
    option_spec{"signing-secret", "S",
                "sign every request with this secret (prefer env NZL_SIGNING_SECRET)"},
    option_spec{"cacert", "FILE", "PEM file of CA certificates to trust for https"},
    option_spec{"timeout-ms", "N", "give up on a request after N ms (default 10000)"},
    option_spec{"json", "", "print the node's JSON as is"},
};

std::optional<std::string> env_var(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0')
    return std::nullopt;
  return std::string{v};
}

} // namespace

environment environment::from_process() {
  return environment{env_var("NZL_NODE"), env_var("NZL_API_KEY"), env_var("NZL_SIGNING_SECRET")};
}

std::span<const option_spec> global_option_specs() {
  return global_specs;
}

global_options defaults_from(const environment& env) {
  global_options out;
  if (env.node)
    out.node = *env.node;
  if (env.api_key)
    out.api_key = *env.api_key;
  if (env.signing_secret)
    out.signing_secret = *env.signing_secret;
  return out;
}

outcome<done> apply_global(const parsed_args& args, global_options& options) {
  auto text = [&](std::string_view name, std::string& slot) -> outcome<done> {
    if (auto v = args.value(name)) {
      if (v->empty())
        return usage_error("--" + std::string{name} + " must not be empty");
      slot = *v;
    }
    return done{};
  };
  for (auto [name, slot] : {std::pair<std::string_view, std::string*>{"node", &options.node},
                            {"key", &options.api_key},
                            {"signing-secret", &options.signing_secret},
                            {"cacert", &options.cacert}})
    if (auto r = text(name, *slot); !r)
      return std::move(r).err();
  if (args.has("key"))
    options.key_on_cli = true;
  if (auto v = args.value("timeout-ms")) {
    auto ms = parse_uint(*v, "--timeout-ms", 1, max_timeout_ms);
    if (!ms)
      return std::move(ms).err();
    options.timeout_ms = static_cast<std::uint32_t>(*ms);
  }
  if (args.has("json"))
    options.json = true;
  return done{};
}

} // namespace nzl::cli
