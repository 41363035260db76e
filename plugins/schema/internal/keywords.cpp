#include "plugins/schema/internal/keywords.hpp"

#include "plugins/schema/internal/suggest.hpp"

#include <algorithm>
#include <cmath>

namespace nzl::schema::internal {

namespace {

void report(eval_ctx& c, const std::string& last, std::string message, std::string suggestion) {
  if (!c.collecting() || c.errors->size() >= c.limits->max_errors)
    return;
  c.errors->push_back(output_unit{render_instance_path(c), render_keyword_path(c, last),
                                  std::move(message), std::move(suggestion)});
}

/// Pushes a keyword path step while collecting errors.
class keyword_step {
public:
  keyword_step(eval_ctx& c, const std::string& loc) : c_(c), on_(c.collecting()) {
    if (on_)
      c_.keyword_path.push_back(&loc);
  }
  ~keyword_step() {
    if (on_)
      c_.keyword_path.pop_back();
  }
  keyword_step(const keyword_step&) = delete;
  keyword_step& operator=(const keyword_step&) = delete;

private:
  eval_ctx& c_;
  bool on_;
};

/// Pushes an instance path step while collecting errors.
class instance_step {
public:
  instance_step(eval_ctx& c, const std::string* key, std::size_t index)
      : c_(c), on_(c.collecting()) {
    if (on_)
      c_.instance_path.push_back(path_step{key, index});
  }
  ~instance_step() {
    if (on_)
      c_.instance_path.pop_back();
  }
  instance_step(const instance_step&) = delete;
  instance_step& operator=(const instance_step&) = delete;

private:
  eval_ctx& c_;
  bool on_;
};

/// Evaluates without collecting errors (for `not`, `if`, `contains`).
class quiet {
public:
  explicit quiet(eval_ctx& c) : c_(c), saved_(c.errors) { c_.errors = nullptr; }
  ~quiet() { c_.errors = saved_; }
  quiet(const quiet&) = delete;
  quiet& operator=(const quiet&) = delete;

private:
  eval_ctx& c_;
  std::vector<output_unit>* saved_;
};

bool eval_child(const child& ch, const json& i, eval_ctx& c, annotations* a) {
  keyword_step step(c, ch.location);
  return eval_node(*ch.target, i, c, a);
}

// GCC/Clang extension: exact comparison of any two JSON integers.
__extension__ using int128 = __int128;

int128 as_int128(const json& v) {
  if (v.is_number_unsigned())
    return static_cast<int128>(v.get<std::uint64_t>());
  return static_cast<int128>(v.get<std::int64_t>());
}

long double as_long_double(const json& v) {
  if (v.is_number_unsigned())
    return static_cast<long double>(v.get<std::uint64_t>());
  if (v.is_number_integer())
    return static_cast<long double>(v.get<std::int64_t>());
  return static_cast<long double>(v.get<double>());
}

int compare_numbers(const json& a, const json& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    auto x = as_int128(a);
    auto y = as_int128(b);
    return (x > y) - (x < y);
  }
  auto x = as_long_double(a);
  auto y = as_long_double(b);
  return (x > y) - (x < y);
}

std::size_t utf8_length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char ch : s)
    n += (ch & 0xC0) != 0x80;
  return n;
}

std::string short_dump(const json& v) {
  auto s = v.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > 80)
    s = s.substr(0, 77) + "...";
  return s;
}

} // namespace

// ---- annotations, paths, node ----

void annotations::merge(const annotations& other) {
  all_properties = all_properties || other.all_properties;
  if (!all_properties)
    properties.insert(properties.end(), other.properties.begin(), other.properties.end());
  all_items = all_items || other.all_items;
  item_prefix = std::max(item_prefix, other.item_prefix);
  if (!all_items)
    items.insert(items.end(), other.items.begin(), other.items.end());
}

bool annotations::has_property(std::string_view name) const noexcept {
  return all_properties ||
         std::find(properties.begin(), properties.end(), name) != properties.end();
}

bool annotations::has_item(std::size_t index) const noexcept {
  return all_items || index < item_prefix ||
         std::find(items.begin(), items.end(), index) != items.end();
}

void append_pointer_token(std::string& out, std::string_view token) {
  for (char ch : token) {
    if (ch == '~')
      out += "~0";
    else if (ch == '/')
      out += "~1";
    else
      out += ch;
  }
}

std::string render_instance_path(const eval_ctx& ctx) {
  std::string out;
  for (const auto& step : ctx.instance_path) {
    out += '/';
    if (step.key != nullptr)
      append_pointer_token(out, *step.key);
    else
      out += std::to_string(step.index);
  }
  return out;
}

std::string render_keyword_path(const eval_ctx& ctx, const std::string& last) {
  std::string out;
  for (const auto* step : ctx.keyword_path)
    out += *step;
  out += last;
  return out;
}

bool keyword::fail(eval_ctx& ctx, std::string message, std::string suggestion) const {
  report(ctx, location_, std::move(message), std::move(suggestion));
  return false;
}

bool eval_node(const node& n, const json& instance, eval_ctx& c, annotations* a) {
  if (n.k == node::kind::always_true)
    return true;
  if (n.k == node::kind::always_false) {
    report(c, "", "no value is allowed here (the schema is false)", "");
    return false;
  }
  if (c.limit_hit)
    return false;
  if (++c.steps > c.limits->max_steps || c.depth >= c.limits->max_instance_depth) {
    c.limit_hit = true;
    // Reported even in the fast mode's caller (validate checks limit_hit).
    report(c, "",
           c.depth >= c.limits->max_instance_depth
               ? "evaluation nested deeper than " + std::to_string(c.limits->max_instance_depth) +
                     " subschemas"
               : "evaluation took more than " + std::to_string(c.limits->max_steps) + " steps",
           "simplify the schema or the document");
    return false;
  }
  ++c.depth;
  const bool pushed = n.owner != nullptr && (c.scope.empty() || c.scope.back() != n.owner);
  if (pushed)
    c.scope.push_back(n.owner);
  annotations local;
  annotations* use = n.has_unevaluated ? &local : a;
  bool ok = true;
  for (const auto& kw : n.keywords) {
    if (!kw->eval(instance, c, use)) {
      ok = false;
      if (!c.collecting())
        break;
    }
  }
  if (ok && a != nullptr && use == &local)
    a->merge(local);
  if (pushed)
    c.scope.pop_back();
  --c.depth;
  return ok;
}

// ---- assertions ----

bool type_kw::eval(const json& i, eval_ctx& c, annotations*) const {
  bool ok = false;
  switch (i.type()) {
  case json::value_t::null:
    ok = (mask_ & t_null) != 0;
    break;
  case json::value_t::boolean:
    ok = (mask_ & t_boolean) != 0;
    break;
  case json::value_t::object:
    ok = (mask_ & t_object) != 0;
    break;
  case json::value_t::array:
    ok = (mask_ & t_array) != 0;
    break;
  case json::value_t::string:
    ok = (mask_ & t_string) != 0;
    break;
  case json::value_t::number_integer:
  case json::value_t::number_unsigned:
    ok = (mask_ & (t_number | t_integer)) != 0;
    break;
  case json::value_t::number_float: {
    if ((mask_ & t_number) != 0) {
      ok = true;
    } else if ((mask_ & t_integer) != 0 && !strict_integers_) {
      auto d = i.get<double>();
      ok = std::isfinite(d) && d == std::floor(d);
    }
    break;
  }
  default:
    break;
  }
  if (ok || !c.collecting())
    return ok;
  return fail(c, "must be " + type_names(mask_) + ", but is " + instance_type_name(i),
              suggest_type_conversion(i, mask_));
}

bool enum_kw::eval(const json& i, eval_ctx& c, annotations*) const {
  for (const auto& v : values_)
    if (v == i)
      return true;
  if (!c.collecting())
    return false;
  std::string list;
  for (const auto& v : values_) {
    if (!list.empty())
      list += ", ";
    list += short_dump(v);
    if (list.size() > 200) {
      list += ", ...";
      break;
    }
  }
  return fail(c, "must be one of: " + list, suggest_enum(i, values_));
}

bool const_kw::eval(const json& i, eval_ctx& c, annotations*) const {
  if (value_ == i)
    return true;
  return fail(c, "must be " + short_dump(value_), "use " + short_dump(value_));
}

bool bound_kw::eval(const json& i, eval_ctx& c, annotations*) const {
  if (!i.is_number())
    return true;
  const int r = compare_numbers(i, bound_);
  bool ok = false;
  const char* sym = "";
  switch (op_) {
  case op::ge:
    ok = r >= 0;
    sym = ">=";
    break;
  case op::le:
    ok = r <= 0;
    sym = "<=";
    break;
  case op::gt:
    ok = r > 0;
    sym = ">";
    break;
  case op::lt:
    ok = r < 0;
    sym = "<";
    break;
  }
  if (ok || !c.collecting())
    return ok;
  const auto b = short_dump(bound_);
  return fail(c, std::string{"must be "} + sym + " " + b,
              std::string{"use a value "} + sym + " " + b);
}

bool multiple_of_kw::eval(const json& i, eval_ctx& c, annotations*) const {
  if (!i.is_number())
    return true;
  bool ok = false;
  if (i.is_number_integer() && divisor_.is_number_integer()) {
    ok = as_int128(i) % as_int128(divisor_) == 0;
  } else {
    // In double, as JSON numbers are: a quotient that overflows is no multiple.
    const double q = as_long_double(i) == 0 ? 0.0
                                            : static_cast<double>(as_long_double(i)) /
                                                  static_cast<double>(as_long_double(divisor_));
    if (std::isfinite(q)) {
      const double r = std::nearbyint(q);
      ok = std::fabs(q - r) <= std::max(1e-9, 1e-12 * std::fabs(q));
    }
  }
  if (ok)
    return true;
  return fail(c, "must be a multiple of " + short_dump(divisor_));
}

bool count_kw::eval(const json& i, eval_ctx& c, annotations*) const {
  std::uint64_t n = 0;
  const char* unit = "";
  switch (what_) {
  case what::length:
    if (!i.is_string())
      return true;
    n = utf8_length(i.get_ref<const std::string&>());
    unit = " characters";
    break;
  case what::items:
    if (!i.is_array())
      return true;
    n = i.size();
    unit = " items";
    break;
  case what::properties:
    if (!i.is_object())
      return true;
    n = i.size();
    unit = " properties";
    break;
  }
  if (is_min_ ? n >= n_ : n <= n_)
    return true;
  if (!c.collecting())
    return false;
  return fail(c,
              std::string{"must have "} + (is_min_ ? "at least " : "at most ") +
                  std::to_string(n_) + unit + ", but has " + std::to_string(n),
              "");
}

bool pattern_kw::eval(const json& i, eval_ctx& c, annotations*) const {
  if (!i.is_string())
    return true;
  bool error = false;
  if (regex_search(p_, i.get_ref<const std::string&>(), error))
    return true;
  if (error)
    return fail(c, "could not be matched against the pattern " + p_.source +
                       " (string too long or pattern too complex)");
  return fail(c, "must match the pattern " + p_.source, suggest_pattern(p_.source));
}

bool format_kw::eval(const json& i, eval_ctx& c, annotations*) const {
  if (check_format(name_, i))
    return true;
  return fail(c, "must be a valid " + name_);
}

bool unique_items_kw::eval(const json& i, eval_ctx& c, annotations*) const {
  if (!i.is_array())
    return true;
  for (std::size_t x = 0; x < i.size(); ++x)
    for (std::size_t y = x + 1; y < i.size(); ++y)
      if (i[x] == i[y])
        return fail(c,
                    "must not contain duplicate items (items " + std::to_string(x) + " and " +
                        std::to_string(y) + " are equal)",
                    "remove item " + std::to_string(y));
  return true;
}

bool required_kw::eval(const json& i, eval_ctx& c, annotations*) const {
  if (!i.is_object())
    return true;
  bool ok = true;
  for (std::size_t k = 0; k < names_.size(); ++k) {
    if (i.contains(names_[k]))
      continue;
    ok = false;
    if (!c.collecting())
      return false;
    std::string hint = "add the property \"" + names_[k] + "\"";
    if (k < defaults_.size() && !defaults_[k].is_null())
      hint += ", e.g. \"" + names_[k] + "\": " + short_dump(defaults_[k]);
    fail(c, "must have required property '" + names_[k] + "'", std::move(hint));
  }
  return ok;
}

bool dependent_required_kw::eval(const json& i, eval_ctx& c, annotations*) const {
  if (!i.is_object())
    return true;
  bool ok = true;
  for (const auto& [key, needed] : deps_) {
    if (!i.contains(key))
      continue;
    for (const auto& name : needed) {
      if (i.contains(name))
        continue;
      ok = false;
      if (!c.collecting())
        return false;
      fail(c, "must have property '" + name + "' when property '" + key + "' is present",
           "add the property \"" + name + "\" or remove \"" + key + "\"");
    }
  }
  return ok;
}

bool dependent_schemas_kw::eval(const json& i, eval_ctx& c, annotations* a) const {
  if (!i.is_object())
    return true;
  bool ok = true;
  for (const auto& [key, sub] : deps_) {
    if (!i.contains(key))
      continue;
    if (!eval_child(sub, i, c, a)) {
      ok = false;
      if (!c.collecting())
        return false;
    }
  }
  return ok;
}

void dependent_schemas_kw::in_place_children(std::vector<const node*>& out) const {
  for (const auto& d : deps_)
    out.push_back(d.second.target);
}

// ---- object and array applicators ----

object_kw::object_kw(std::string loc, std::vector<named> props, std::vector<patterned> patterns,
                     std::optional<child> additional, std::string additional_keyword)
    : keyword(std::move(loc)), props_(std::move(props)), patterns_(std::move(patterns)),
      additional_(std::move(additional)), additional_keyword_(std::move(additional_keyword)) {
  std::sort(props_.begin(), props_.end(),
            [](const named& x, const named& y) { return x.name < y.name; });
}

bool object_kw::eval(const json& i, eval_ctx& c, annotations* a) const {
  if (!i.is_object())
    return true;
  bool ok = true;
  for (auto it = i.begin(); it != i.end(); ++it) {
    const std::string& key = it.key();
    bool matched = false;
    instance_step step(c, &key, 0);
    auto p = std::lower_bound(props_.begin(), props_.end(), key,
                              [](const named& x, const std::string& k) { return x.name < k; });
    if (p != props_.end() && p->name == key) {
      matched = true;
      if (!eval_child(p->sub, it.value(), c, nullptr)) {
        ok = false;
        if (!c.collecting())
          return false;
      }
    }
    for (const auto& pp : patterns_) {
      bool error = false;
      if (!regex_search(pp.p, key, error)) {
        if (error) {
          ok = false;
          report(c, pp.sub.location, "property name could not be matched against " + pp.p.source,
                 "");
          if (!c.collecting())
            return false;
        }
        continue;
      }
      matched = true;
      if (!eval_child(pp.sub, it.value(), c, nullptr)) {
        ok = false;
        if (!c.collecting())
          return false;
      }
    }
    if (!matched && additional_) {
      matched = true;
      if (additional_->target->k == node::kind::always_false) {
        ok = false;
        if (!c.collecting())
          return false;
        std::vector<std::string_view> names;
        for (const auto& n : props_)
          names.push_back(n.name);
        report(c, additional_keyword_, "must not have additional property '" + key + "'",
               suggest_property_name(key, names));
      } else if (!eval_child(*additional_, it.value(), c, nullptr)) {
        ok = false;
        if (!c.collecting())
          return false;
      }
    }
    if (matched && a != nullptr)
      a->properties.push_back(key);
  }
  return ok;
}

bool property_names_kw::eval(const json& i, eval_ctx& c, annotations*) const {
  if (!i.is_object())
    return true;
  bool ok = true;
  for (auto it = i.begin(); it != i.end(); ++it) {
    if (!eval_child(sub_, json(it.key()), c, nullptr)) {
      ok = false;
      if (!c.collecting())
        return false;
    }
  }
  return ok;
}

bool array_kw::eval(const json& i, eval_ctx& c, annotations* a) const {
  if (!i.is_array())
    return true;
  bool ok = true;
  const std::size_t n = i.size();
  for (std::size_t k = 0; k < n && k < prefix_.size(); ++k) {
    instance_step step(c, nullptr, k);
    if (!eval_child(prefix_[k], i[k], c, nullptr)) {
      ok = false;
      if (!c.collecting())
        return false;
    }
  }
  if (rest_ && n > prefix_.size()) {
    if (rest_->target->k == node::kind::always_false) {
      instance_step step(c, nullptr, prefix_.size());
      return fail(c,
                  "must have at most " + std::to_string(prefix_.size()) + " items, but has " +
                      std::to_string(n),
                  "remove the items from index " + std::to_string(prefix_.size()));
    }
    for (std::size_t k = prefix_.size(); k < n; ++k) {
      instance_step step(c, nullptr, k);
      if (!eval_child(*rest_, i[k], c, nullptr)) {
        ok = false;
        if (!c.collecting())
          return false;
      }
    }
  }
  if (a != nullptr) {
    if (rest_)
      a->all_items = true;
    else
      a->item_prefix = std::max(a->item_prefix, std::min(n, prefix_.size()));
  }
  return ok;
}

bool contains_kw::eval(const json& i, eval_ctx& c, annotations* a) const {
  if (!i.is_array())
    return true;
  std::uint64_t matches = 0;
  {
    quiet q(c);
    for (std::size_t k = 0; k < i.size(); ++k) {
      if (eval_node(*sub_.target, i[k], c, nullptr)) {
        ++matches;
        if (annotate_ && a != nullptr)
          a->items.push_back(k);
      }
    }
  }
  if (matches < min_)
    return fail(c, "must contain at least " + std::to_string(min_) +
                       " item(s) matching the contains schema, but has " + std::to_string(matches));
  if (max_ && matches > *max_)
    return fail(c, "must contain at most " + std::to_string(*max_) +
                       " item(s) matching the contains schema, but has " + std::to_string(matches));
  return true;
}

bool unevaluated_properties_kw::eval(const json& i, eval_ctx& c, annotations* a) const {
  if (!i.is_object() || a == nullptr)
    return true;
  bool ok = true;
  std::vector<std::string_view> known;
  for (auto it = i.begin(); it != i.end(); ++it) {
    const std::string& key = it.key();
    if (a->has_property(key))
      continue;
    instance_step step(c, &key, 0);
    if (sub_.target->k == node::kind::always_false) {
      ok = false;
      if (!c.collecting())
        return false;
      if (known.empty())
        for (auto j = i.begin(); j != i.end(); ++j)
          if (a->has_property(j.key()))
            known.push_back(j.key());
      report(c, location(), "must not have unevaluated property '" + key + "'",
             suggest_property_name(key, known));
    } else if (!eval_child(sub_, it.value(), c, nullptr)) {
      ok = false;
      if (!c.collecting())
        return false;
    }
  }
  if (ok)
    a->all_properties = true;
  return ok;
}

bool unevaluated_items_kw::eval(const json& i, eval_ctx& c, annotations* a) const {
  if (!i.is_array() || a == nullptr)
    return true;
  bool ok = true;
  for (std::size_t k = 0; k < i.size(); ++k) {
    if (a->has_item(k))
      continue;
    instance_step step(c, nullptr, k);
    if (sub_.target->k == node::kind::always_false) {
      ok = false;
      if (!c.collecting())
        return false;
      report(c, location(), "must not have unevaluated item " + std::to_string(k), "");
    } else if (!eval_child(sub_, i[k], c, nullptr)) {
      ok = false;
      if (!c.collecting())
        return false;
    }
  }
  if (ok)
    a->all_items = true;
  return ok;
}

// ---- in-place applicators ----

bool combinator_kw::eval(const json& i, eval_ctx& c, annotations* a) const {
  switch (mode_) {
  case mode::all: {
    bool ok = true;
    for (const auto& s : subs_) {
      if (!eval_child(s, i, c, a)) {
        ok = false;
        if (!c.collecting())
          return false;
      }
    }
    return ok;
  }
  case mode::any: {
    const std::size_t mark = c.collecting() ? c.errors->size() : 0;
    bool any = false;
    for (const auto& s : subs_) {
      annotations local;
      if (eval_child(s, i, c, a != nullptr ? &local : nullptr)) {
        any = true;
        if (a == nullptr)
          break;
        a->merge(local);
      }
    }
    if (any) {
      if (c.collecting())
        c.errors->resize(mark);
      return true;
    }
    return fail(c, "must match at least one schema in anyOf");
  }
  case mode::one: {
    const std::size_t mark = c.collecting() ? c.errors->size() : 0;
    std::vector<std::size_t> passed;
    annotations kept;
    for (std::size_t k = 0; k < subs_.size(); ++k) {
      annotations local;
      if (eval_child(subs_[k], i, c, a != nullptr ? &local : nullptr)) {
        passed.push_back(k);
        if (passed.size() == 1)
          kept = std::move(local);
        else
          break;
      }
    }
    if (passed.size() == 1) {
      if (c.collecting())
        c.errors->resize(mark);
      if (a != nullptr)
        a->merge(kept);
      return true;
    }
    if (passed.empty())
      return fail(c, "must match exactly one schema in oneOf, but matches none");
    if (c.collecting())
      c.errors->resize(mark);
    return fail(c, "must match exactly one schema in oneOf, but matches schemas " +
                       std::to_string(passed[0]) + " and " + std::to_string(passed[1]));
  }
  }
  return false;
}

void combinator_kw::in_place_children(std::vector<const node*>& out) const {
  for (const auto& s : subs_)
    out.push_back(s.target);
}

bool not_kw::eval(const json& i, eval_ctx& c, annotations*) const {
  bool matched = false;
  {
    quiet q(c);
    keyword_step step(c, sub_.location);
    matched = eval_node(*sub_.target, i, c, nullptr);
  }
  if (!matched)
    return true;
  return fail(c, "must not match the schema in not");
}

void not_kw::in_place_children(std::vector<const node*>& out) const {
  out.push_back(sub_.target);
}

bool if_kw::eval(const json& i, eval_ctx& c, annotations* a) const {
  // Without then/else, "if" only matters for the annotations it produces.
  if (!then_ && !else_ && a == nullptr)
    return true;
  annotations local;
  bool cond = false;
  {
    quiet q(c);
    keyword_step step(c, if_.location);
    cond = eval_node(*if_.target, i, c, a != nullptr ? &local : nullptr);
  }
  if (cond) {
    if (a != nullptr)
      a->merge(local);
    return then_ ? eval_child(*then_, i, c, a) : true;
  }
  return else_ ? eval_child(*else_, i, c, a) : true;
}

void if_kw::in_place_children(std::vector<const node*>& out) const {
  out.push_back(if_.target);
  if (then_)
    out.push_back(then_->target);
  if (else_)
    out.push_back(else_->target);
}

bool ref_kw::eval(const json& i, eval_ctx& c, annotations* a) const {
  const node* target = target_;
  if (kind_ == kind::dynamic) {
    for (const auto* r : c.scope) {
      if (auto it = r->dynamic_anchors.find(anchor_); it != r->dynamic_anchors.end()) {
        target = it->second;
        break;
      }
    }
  } else if (kind_ == kind::recursive) {
    if (target_->owner != nullptr && target_->owner->recursive_anchor) {
      for (const auto* r : c.scope) {
        if (r->recursive_anchor && r->root != nullptr) {
          target = r->root;
          break;
        }
      }
    }
  }
  keyword_step step(c, location());
  return eval_node(*target, i, c, a);
}

void ref_kw::in_place_children(std::vector<const node*>& out) const {
  out.push_back(target_);
}

} // namespace nzl::schema::internal
