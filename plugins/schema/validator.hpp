#pragma once

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace nzl::schema {

/// JSON Schema drafts the validator understands.
enum class draft { draft4, draft6, draft7, draft2019_09, draft2020_12 };

/// One error in the JSON Schema "basic" output format.
struct output_unit {
  std::string instance_location; ///< JSON Pointer into the instance, "" for the root
  std::string keyword_location;  ///< JSON Pointer into the schema, e.g. "/properties/port/type"
  std::string error;             ///< human-readable message
  std::string suggestion;        ///< a concrete fix where one is clear, else empty
};

/// Schemas that `$ref` may name, by absolute URI (without a fragment). They
/// are never fetched: a reference to a URI that is neither here, in the schema
/// itself nor one of the drafts' meta-schemas is a compile error.
using schema_set = std::map<std::string, nlohmann::json, std::less<>>;

struct compile_options {
  draft default_draft = draft::draft2020_12; ///< used when the schema has no `$schema`
  bool assert_formats = false;               ///< `format` asserts instead of annotating
  /// Extra schemas known by URI (may be null). Only read during `compile`.
  std::shared_ptr<const schema_set> known_schemas;
  std::size_t max_schema_depth = 256;   ///< nesting of the schema documents
  std::size_t max_nodes = 100000;       ///< compiled subschemas in one plan
  std::size_t max_instance_depth = 512; ///< nesting of subschema evaluations
  std::size_t max_steps = 5000000;      ///< subschema evaluations per validation
  std::size_t max_errors = 1000;        ///< errors reported per validation
};

/// A schema compiled once into a validation plan. Immutable after compile:
/// safe to share between threads and to validate many documents concurrently.
/// A document that exceeds a limit (`max_instance_depth`, `max_steps`) is
/// reported invalid with an error saying which limit, never crashes or hangs.
class compiled_schema {
public:
  class impl;
  explicit compiled_schema(std::shared_ptr<const impl> plan);

  /// Every error of `instance` against the schema, empty when it is valid.
  [[nodiscard]] std::vector<output_unit> validate(const nlohmann::json& instance) const;

  /// Like `validate().empty()`, but stops at the first error and builds no
  /// messages: the fast path.
  [[nodiscard]] bool is_valid(const nlohmann::json& instance) const;

  /// The draft the root schema was compiled as.
  [[nodiscard]] draft schema_draft() const noexcept;

private:
  std::shared_ptr<const impl> plan_;
};

/// Compiles `schema`. A document that is not a schema, or uses keywords in a
/// way the draft forbids, an unknown `$schema`, a `$ref` that resolves nowhere,
/// a `pattern` that does not compile, a `$ref` cycle that never reaches into
/// the instance, or nesting over the limits yields an `errc::invalid_field`
/// error; its extensions carry `keywordLocation` (a JSON Pointer into the
/// schema) and `reason`.
[[nodiscard]] result<compiled_schema> compile(const nlohmann::json& schema,
                                              const compile_options& options = {});

/// Parses a draft name as used in requests: "2020-12", "2019-09", "7", "6",
/// "4" (also "draft7", "draft-07", ...). False when unknown.
[[nodiscard]] bool parse_draft(const std::string& name, draft& out) noexcept;

/// "2020-12", "2019-09", "draft7", ...
[[nodiscard]] const char* to_string(draft d) noexcept;

} // namespace nzl::schema
