#include "plugins/builtin/json_validator_handler.hpp"

namespace nzl::plugins::builtin {

namespace {

error invalid(const std::string& field, const std::string& what) {
  return fail(errc::invalid_field, field + " " + what, {{"field", field}});
}

} // namespace

json_validator_handler::json_validator_handler(std::shared_ptr<const schema::schema_set> registered,
                                               std::size_t cache_capacity)
    : registered_(std::move(registered)), cache_(cache_capacity) {}

result<nlohmann::json> json_validator_handler::run(nlohmann::json payload, handler_context& ctx) {
  if (!payload.is_object())
    return invalid("payload", "must be an object with \"schema\" and \"data\"");
  auto schema = payload.find("schema");
  if (schema == payload.end())
    return invalid("payload.schema", "is required");
  auto data = payload.find("data");
  if (data == payload.end())
    return invalid("payload.data", "is required");

  schema::compile_options options;
  options.known_schemas = registered_;
  if (auto o = payload.find("options"); o != payload.end()) {
    if (!o->is_object())
      return invalid("payload.options", "must be an object");
    if (auto d = o->find("draft"); d != o->end()) {
      if (!d->is_string() && !d->is_number_integer())
        return invalid("payload.options.draft", "must be a string such as \"2020-12\"");
      const auto name = d->is_string() ? d->get<std::string>() : std::to_string(d->get<int>());
      if (!schema::parse_draft(name, options.default_draft))
        return fail(errc::task_failed,
                    "unknown draft \"" + name + "\" (known: 2020-12, 2019-09, 7, 6, 4)",
                    {{"problem", "invalid-schema"},
                     {"field", "payload.options.draft"},
                     {"reason", "unknown draft"}});
    }
    if (auto f = o->find("assert_formats"); f != o->end()) {
      if (!f->is_boolean())
        return invalid("payload.options.assert_formats", "must be a boolean");
      options.assert_formats = f->get<bool>();
    }
  }
  if (auto s = payload.find("schemas"); s != payload.end()) {
    if (!s->is_object())
      return invalid("payload.schemas", "must be an object of URI to schema");
    auto merged = registered_ ? std::make_shared<schema::schema_set>(*registered_)
                              : std::make_shared<schema::schema_set>();
    for (auto it = s->begin(); it != s->end(); ++it) {
      auto uri = it.key();
      if (uri.ends_with('#'))
        uri.pop_back();
      (*merged)[uri] = std::move(it.value());
    }
    options.known_schemas = std::move(merged);
  }

  auto compiled = cache_.get(*schema, options);
  if (!compiled) {
    auto ext = compiled.err().extensions;
    ext["problem"] = "invalid-schema";
    return fail(errc::task_failed, compiled.err().detail, std::move(ext));
  }
  if (ctx.cancelled())
    return fail(errc::task_cancelled, "json-validator cancelled before validation");

  const auto units = compiled->validate(*data);
  nlohmann::json errors = nlohmann::json::array();
  nlohmann::json suggestions = nlohmann::json::array();
  for (const auto& u : units) {
    errors.push_back({{"instanceLocation", u.instance_location},
                      {"keywordLocation", u.keyword_location},
                      {"error", u.error}});
    if (!u.suggestion.empty())
      suggestions.push_back({{"instanceLocation", u.instance_location},
                             {"keywordLocation", u.keyword_location},
                             {"suggestion", u.suggestion}});
  }
  return nlohmann::json{{"valid", units.empty()},
                        {"errors", std::move(errors)},
                        {"suggestions", std::move(suggestions)}};
}

} // namespace nzl::plugins::builtin
