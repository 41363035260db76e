#pragma once

#include "plugins/schema/schema_cache.hpp"
#include "plugins/schema/validator.hpp"
#include "plugins/task_handler.hpp"

#include <memory>

namespace nzl::plugins::builtin {

/// `json-validator`: validates `payload.data` against `payload.schema`.
///
/// Payload: `{"schema": {...}, "data": any, "options": {"draft": "2020-12",
/// "assert_formats": false}, "schemas": {"<uri>": {...}}}`; only `schema` and
/// `data` are required. `schemas` adds schemas that `$ref` may name, on top of
/// the ones registered in the node; nothing is ever fetched.
///
/// Result: `{"valid": bool, "errors": [{"instanceLocation", "keywordLocation",
/// "error"}], "suggestions": [{"instanceLocation", "keywordLocation",
/// "suggestion"}]}` (JSON Schema "basic" output plus a concrete fix per error
/// where one is clear).
///
/// A missing or mistyped payload field is `errc::invalid_field` (400). A bad
/// schema (not a schema, unknown draft, a `$ref` that resolves nowhere, a regex
/// that does not compile, recursion without progress, over the size limits)
/// is `errc::task_failed` (422) with extensions `{"problem": "invalid-schema",
/// "keywordLocation", "reason"}`.
///
/// Compiled schemas are cached (by their text and options), so repeated
/// validations against one schema compile it once. Thread-safe.
class json_validator_handler final : public task_handler {
public:
  /// `registered` are the node's known schemas by URI (may be null).
  explicit json_validator_handler(std::shared_ptr<const schema::schema_set> registered = nullptr,
                                  std::size_t cache_capacity = 256);

  std::string_view type() const noexcept override { return "json-validator"; }
  result<nlohmann::json> run(nlohmann::json payload, handler_context& ctx) override;

  /// Cache counters, for metrics and tests.
  [[nodiscard]] schema::schema_cache::stats cache_statistics() const { return cache_.statistics(); }

private:
  std::shared_ptr<const schema::schema_set> registered_;
  schema::schema_cache cache_;
};

} // namespace nzl::plugins::builtin
