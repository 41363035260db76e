#pragma once

// The keywords of the validation plan. Each is built by the compiler from one
// (or, for the object and array applicators, a few sibling) schema keywords.

#include "plugins/schema/internal/plan.hpp"
#include "plugins/schema/internal/regex.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nzl::schema::internal {

/// A subschema with its location relative to the keyword's subschema.
struct child {
  const node* target = nullptr;
  std::string location; ///< e.g. "/properties/port"
};

enum type_bits : std::uint8_t {
  t_null = 1,
  t_boolean = 2,
  t_object = 4,
  t_array = 8,
  t_number = 16,
  t_string = 32,
  t_integer = 64,
};

class type_kw final : public keyword {
public:
  type_kw(std::string loc, std::uint8_t mask, bool strict_integers)
      : keyword(std::move(loc)), mask_(mask), strict_integers_(strict_integers) {}
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;

private:
  std::uint8_t mask_;
  bool strict_integers_; // draft 4: 1.0 is not an integer
};

class enum_kw final : public keyword {
public:
  enum_kw(std::string loc, std::vector<json> values)
      : keyword(std::move(loc)), values_(std::move(values)) {}
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;

private:
  std::vector<json> values_;
};

class const_kw final : public keyword {
public:
  const_kw(std::string loc, json value) : keyword(std::move(loc)), value_(std::move(value)) {}
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;

private:
  json value_;
};

class bound_kw final : public keyword {
public:
  enum class op : std::uint8_t { ge, le, gt, lt };
  bound_kw(std::string loc, op o, json bound)
      : keyword(std::move(loc)), op_(o), bound_(std::move(bound)) {}
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;

private:
  op op_;
  json bound_;
};

class multiple_of_kw final : public keyword {
public:
  multiple_of_kw(std::string loc, json divisor)
      : keyword(std::move(loc)), divisor_(std::move(divisor)) {}
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;

private:
  json divisor_;
};

/// minLength, maxLength, minItems, maxItems, minProperties, maxProperties.
class count_kw final : public keyword {
public:
  enum class what : std::uint8_t { length, items, properties };
  count_kw(std::string loc, what w, bool is_min, std::uint64_t n)
      : keyword(std::move(loc)), what_(w), is_min_(is_min), n_(n) {}
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;

private:
  what what_;
  bool is_min_;
  std::uint64_t n_;
};

class pattern_kw final : public keyword {
public:
  pattern_kw(std::string loc, pattern p) : keyword(std::move(loc)), p_(std::move(p)) {}
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;

private:
  pattern p_;
};

class format_kw final : public keyword {
public:
  format_kw(std::string loc, std::string name) : keyword(std::move(loc)), name_(std::move(name)) {}
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;

private:
  std::string name_;
};

class unique_items_kw final : public keyword {
public:
  explicit unique_items_kw(std::string loc) : keyword(std::move(loc)) {}
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;
};

class required_kw final : public keyword {
public:
  /// `defaults` holds the `default` of each required property's subschema
  /// where one is given (for suggestions).
  required_kw(std::string loc, std::vector<std::string> names, std::vector<json> defaults)
      : keyword(std::move(loc)), names_(std::move(names)), defaults_(std::move(defaults)) {}
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;

private:
  std::vector<std::string> names_;
  std::vector<json> defaults_; // null where none
};

class dependent_required_kw final : public keyword {
public:
  using entry = std::pair<std::string, std::vector<std::string>>;
  dependent_required_kw(std::string loc, std::vector<entry> deps)
      : keyword(std::move(loc)), deps_(std::move(deps)) {}
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;

private:
  std::vector<entry> deps_;
};

class dependent_schemas_kw final : public keyword {
public:
  using entry = std::pair<std::string, child>;
  dependent_schemas_kw(std::string loc, std::vector<entry> deps)
      : keyword(std::move(loc)), deps_(std::move(deps)) {}
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;
  void in_place_children(std::vector<const node*>& out) const override;

private:
  std::vector<entry> deps_;
};

/// properties + patternProperties + additionalProperties in one pass.
class object_kw final : public keyword {
public:
  struct named {
    std::string name;
    child sub;
  };
  struct patterned {
    pattern p;
    child sub;
  };
  object_kw(std::string loc, std::vector<named> props, std::vector<patterned> patterns,
            std::optional<child> additional, std::string additional_keyword);
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;

private:
  std::vector<named> props_; // sorted by name
  std::vector<patterned> patterns_;
  std::optional<child> additional_;
  std::string additional_keyword_; // "/additionalProperties"
};

class property_names_kw final : public keyword {
public:
  property_names_kw(std::string loc, child sub) : keyword(std::move(loc)), sub_(std::move(sub)) {}
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;

private:
  child sub_;
};

/// prefixItems (or array-form items) + items (or additionalItems).
class array_kw final : public keyword {
public:
  array_kw(std::string loc, std::vector<child> prefix, std::optional<child> rest)
      : keyword(std::move(loc)), prefix_(std::move(prefix)), rest_(std::move(rest)) {}
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;

private:
  std::vector<child> prefix_;
  std::optional<child> rest_;
};

class contains_kw final : public keyword {
public:
  contains_kw(std::string loc, child sub, std::uint64_t min, std::optional<std::uint64_t> max,
              bool annotate)
      : keyword(std::move(loc)), sub_(std::move(sub)), min_(min), max_(max), annotate_(annotate) {}
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;

private:
  child sub_;
  std::uint64_t min_;
  std::optional<std::uint64_t> max_;
  bool annotate_; // 2020-12: matched items count as evaluated
};

class unevaluated_properties_kw final : public keyword {
public:
  unevaluated_properties_kw(std::string loc, child sub)
      : keyword(std::move(loc)), sub_(std::move(sub)) {}
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;

private:
  child sub_;
};

class unevaluated_items_kw final : public keyword {
public:
  unevaluated_items_kw(std::string loc, child sub)
      : keyword(std::move(loc)), sub_(std::move(sub)) {}
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;

private:
  child sub_;
};

/// allOf, anyOf, oneOf.
class combinator_kw final : public keyword {
public:
  enum class mode : std::uint8_t { all, any, one };
  combinator_kw(std::string loc, mode m, std::vector<child> subs)
      : keyword(std::move(loc)), mode_(m), subs_(std::move(subs)) {}
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;
  void in_place_children(std::vector<const node*>& out) const override;

private:
  mode mode_;
  std::vector<child> subs_;
};

class not_kw final : public keyword {
public:
  not_kw(std::string loc, child sub) : keyword(std::move(loc)), sub_(std::move(sub)) {}
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;
  void in_place_children(std::vector<const node*>& out) const override;

private:
  child sub_;
};

class if_kw final : public keyword {
public:
  if_kw(std::string loc, child cond, std::optional<child> then_sub, std::optional<child> else_sub)
      : keyword(std::move(loc)), if_(std::move(cond)), then_(std::move(then_sub)),
        else_(std::move(else_sub)) {}
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;
  void in_place_children(std::vector<const node*>& out) const override;

private:
  child if_;
  std::optional<child> then_;
  std::optional<child> else_;
};

/// $ref, and $dynamicRef / $recursiveRef (dynamic when `anchor` is set or
/// `recursive` is true).
class ref_kw final : public keyword {
public:
  enum class kind : std::uint8_t { plain, dynamic, recursive };
  ref_kw(std::string loc, const node* target, kind k, std::string anchor)
      : keyword(std::move(loc)), target_(target), kind_(k), anchor_(std::move(anchor)) {}
  bool eval(const json& i, eval_ctx& c, annotations* a) const override;
  void in_place_children(std::vector<const node*>& out) const override;

private:
  const node* target_;
  kind kind_;
  std::string anchor_;
};

/// Checks `value` against the named format; unknown formats pass.
bool check_format(std::string_view name, const json& value);

} // namespace nzl::schema::internal
