#pragma once

#include "plugins/schema/internal/plan.hpp"

namespace nzl::schema::internal {

/// Compiles `schema` into `plan` (see plan.hpp). Errors are `errc::invalid_field`
/// with `keywordLocation` and `reason` extensions.
[[nodiscard]] result<bool> compile_into(const json& schema, const compile_options& options,
                                        compiled_schema::impl& plan);

/// The draft a `$schema` URI names, if it names a standard one.
[[nodiscard]] bool draft_from_uri(std::string_view uri, draft& out) noexcept;

/// One of the drafts' meta-schemas (and 2019-09/2020-12 vocabulary
/// meta-schemas) by URI, or null. Parsed once; immutable.
[[nodiscard]] const json* builtin_schema(std::string_view uri);

} // namespace nzl::schema::internal
