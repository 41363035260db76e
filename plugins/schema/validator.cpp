#include "plugins/schema/validator.hpp"

#include "plugins/schema/internal/compiler.hpp"
#include "plugins/schema/internal/plan.hpp"

namespace nzl::schema {

compiled_schema::compiled_schema(std::shared_ptr<const impl> plan) : plan_(std::move(plan)) {}

std::vector<output_unit> compiled_schema::validate(const nlohmann::json& instance) const {
  std::vector<output_unit> errors;
  internal::eval_ctx ctx;
  ctx.errors = &errors;
  ctx.limits = &plan_->options;
  const bool ok = internal::eval_node(*plan_->root, instance, ctx, nullptr);
  if (!ok && errors.empty())
    errors.push_back(output_unit{"", "", "the instance is invalid", ""});
  return errors;
}

bool compiled_schema::is_valid(const nlohmann::json& instance) const {
  internal::eval_ctx ctx;
  ctx.limits = &plan_->options;
  const bool ok = internal::eval_node(*plan_->root, instance, ctx, nullptr);
  return ok && !ctx.limit_hit;
}

draft compiled_schema::schema_draft() const noexcept {
  return plan_->root_draft;
}

result<compiled_schema> compile(const nlohmann::json& schema, const compile_options& options) {
  auto plan = std::make_shared<compiled_schema::impl>();
  auto r = internal::compile_into(schema, options, *plan);
  if (!r)
    return std::move(r.err());
  return compiled_schema{std::move(plan)};
}

bool parse_draft(const std::string& name, draft& out) noexcept {
  std::string n;
  for (char c : name)
    if (c != '-' && c != '_' && c != ' ')
      n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n.starts_with("draft"))
    n.erase(0, 5);
  if (n == "4" || n == "04")
    out = draft::draft4;
  else if (n == "6" || n == "06")
    out = draft::draft6;
  else if (n == "7" || n == "07")
    out = draft::draft7;
  else if (n == "201909")
    out = draft::draft2019_09;
  else if (n == "202012")
    out = draft::draft2020_12;
  else
    return internal::draft_from_uri(name, out);
  return true;
}

const char* to_string(draft d) noexcept {
  switch (d) {
  case draft::draft4:
    return "draft4";
  case draft::draft6:
    return "draft6";
  case draft::draft7:
    return "draft7";
  case draft::draft2019_09:
    return "2019-09";
  case draft::draft2020_12:
    return "2020-12";
  }
  return "?";
}

} // namespace nzl::schema
