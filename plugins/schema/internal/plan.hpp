#pragma once

// The compiled validation plan.
//
// A schema is compiled into a graph of `node`s, one per subschema, each with
// the list of `keyword`s that apply to it (unknown keywords are dropped at
// compile time; `unevaluated*` keywords come last so they see the annotations
// of their siblings). Nodes refer to each other by plain pointers: `$ref`
// cycles are cycles in the graph. All nodes, resources and compiled regexes
// are owned by `compiled_schema::impl`, which is immutable after compile, so a
// plan can be shared by any number of threads.
//
// Evaluation walks the graph with an `eval_ctx` per validation: the dynamic
// scope (for `$dynamicRef`/`$recursiveRef`), the instance and keyword paths
// (kept as stacks of pointers and only turned into strings when an error is
// reported), and the limits on depth and steps. In the fast mode
// (`errors == nullptr`) evaluation stops at the first failure and builds no
// strings. Annotations (evaluated properties and items) are collected only
// below a node that has an `unevaluated*` keyword.

#include "plugins/schema/validator.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::schema::internal {

using json = nlohmann::json;

struct node;

/// A schema resource (a document root or a subschema with `$id`): the unit
/// of the dynamic scope.
struct resource {
  std::string uri;
  std::map<std::string, const node*, std::less<>> dynamic_anchors;
  bool recursive_anchor = false;
  const node* root = nullptr; ///< the resource's own subschema, once compiled
};

/// Properties and items a subschema evaluated (for `unevaluated*`).
struct annotations {
  bool all_properties = false;
  std::vector<std::string_view> properties;
  bool all_items = false;
  std::size_t item_prefix = 0;    ///< items [0, item_prefix) were evaluated
  std::vector<std::size_t> items; ///< further items evaluated (contains)

  void merge(const annotations& other);
  [[nodiscard]] bool has_property(std::string_view name) const noexcept;
  [[nodiscard]] bool has_item(std::size_t index) const noexcept;
};

/// One step of the instance location.
struct path_step {
  const std::string* key = nullptr; ///< object member name, or null for an index
  std::size_t index = 0;
};

struct eval_ctx {
  std::vector<output_unit>* errors = nullptr; ///< null: fast mode
  std::vector<const resource*> scope;
  std::vector<path_step> instance_path;
  std::vector<const std::string*> keyword_path;
  std::size_t depth = 0;
  std::size_t steps = 0;
  bool limit_hit = false;
  const compile_options* limits = nullptr;

  [[nodiscard]] bool collecting() const noexcept { return errors != nullptr; }
};

/// A keyword of one subschema.
class keyword {
public:
  explicit keyword(std::string location) : location_(std::move(location)) {}
  virtual ~keyword() = default;
  keyword(const keyword&) = delete;
  keyword& operator=(const keyword&) = delete;

  /// Evaluates the keyword; `ann` is null unless annotations are wanted.
  virtual bool eval(const json& instance, eval_ctx& ctx, annotations* ann) const = 0;

  /// Subschemas applied to the same instance location (for the compile-time
  /// check against recursion without progress).
  virtual void in_place_children(std::vector<const node*>& out) const { (void)out; }

  /// Location relative to the subschema, e.g. "/maximum".
  [[nodiscard]] const std::string& location() const noexcept { return location_; }

protected:
  /// Records an error (when collecting) and returns false.
  bool fail(eval_ctx& ctx, std::string message, std::string suggestion = {}) const;

private:
  std::string location_;
};

struct node {
  enum class kind : std::uint8_t { schema, always_true, always_false };
  kind k = kind::schema;
  bool has_unevaluated = false;
  const resource* owner = nullptr;
  std::vector<std::unique_ptr<keyword>> keywords;
};

/// Evaluates `n` against `instance`.
bool eval_node(const node& n, const json& instance, eval_ctx& ctx, annotations* ann);

/// Builds the instance location of the current step.
std::string render_instance_path(const eval_ctx& ctx);
std::string render_keyword_path(const eval_ctx& ctx, const std::string& last);

/// Appends `token` escaped as a JSON Pointer reference token ("~0", "~1").
void append_pointer_token(std::string& out, std::string_view token);

} // namespace nzl::schema::internal

namespace nzl::schema {

class compiled_schema::impl {
public:
  std::vector<std::unique_ptr<internal::node>> nodes;
  std::vector<std::unique_ptr<internal::resource>> resources;
  const internal::node* root = nullptr;
  const internal::resource* root_resource = nullptr;
  compile_options options;
  draft root_draft = draft::draft2020_12;
};

} // namespace nzl::schema
