#include "plugins/schema/internal/compiler.hpp"

#include "plugins/schema/internal/keywords.hpp"
#include "plugins/schema/internal/uri.hpp"

#include <cmath>
#include <deque>
#include <optional>
#include <set>
#include <unordered_map>

namespace nzl::schema::internal {

namespace {

// Vocabularies a subschema is compiled with (core is always on).
enum vocab_bits : std::uint8_t {
  v_applicator = 1,
  v_validation = 2,
  v_unevaluated = 4,
  v_format_assertion = 8,
};
constexpr std::uint8_t v_default = v_applicator | v_validation | v_unevaluated;

/// What the compiler knows about one subschema of a document.
struct location_info {
  std::string base;        ///< base URI, without fragment
  resource* res = nullptr; ///< enclosing schema resource
  draft d = draft::draft2020_12;
  std::uint8_t vocab = v_default;
  std::string pointer; ///< JSON Pointer within its document
};

/// Concatenates the parts (GCC 12 warns falsely on `"/" + std::string`).
std::string path_of(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts)
    out.append(p);
  return out;
}

std::string escape_token(std::string_view token) {
  std::string out;
  append_pointer_token(out, token);
  return out;
}

const json* eval_pointer(const json& doc, std::string_view ptr) {
  const json* cur = &doc;
  while (!ptr.empty()) {
    if (ptr[0] != '/')
      return nullptr;
    ptr.remove_prefix(1);
    auto slash = ptr.find('/');
    auto raw = ptr.substr(0, slash);
    ptr = slash == std::string_view::npos ? std::string_view{} : ptr.substr(slash);
    std::string token;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token += raw[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        token += raw[i];
      }
    }
    if (cur->is_object()) {
      auto it = cur->find(token);
      if (it == cur->end())
        return nullptr;
      cur = &*it;
    } else if (cur->is_array()) {
      if (token.empty() || token.size() > 9 || (token.size() > 1 && token[0] == '0') ||
          token.find_first_not_of("0123456789") != std::string::npos)
        return nullptr;
      auto idx = std::stoul(token);
      if (idx >= cur->size())
        return nullptr;
      cur = &(*cur)[idx];
    } else {
      return nullptr;
    }
  }
  return cur;
}

class compiler {
public:
  compiler(const compile_options& options, compiled_schema::impl& plan)
      : options_(options), plan_(plan) {}

  result<bool> run(const json& schema) {
    if (!schema.is_object() && !schema.is_boolean())
      return bad("", "the schema must be a JSON object or a boolean");
    auto root_draft = options_.default_draft;
    auto err = index_document(schema, "", root_draft);
    if (err)
      return std::move(*err);
    const auto& info = index_.at(&schema);
    plan_.root_draft = info.d;
    plan_.root_resource = info.res;
    plan_.root = get_node(&schema, info);
    while (!queue_.empty()) {
      auto item = std::move(queue_.front());
      queue_.pop_front();
      if (auto e = fill(*item.n, *item.s, item.info))
        return std::move(*e);
      if (plan_.nodes.size() > options_.max_nodes)
        return bad("", "the schema has more than " + std::to_string(options_.max_nodes) +
                           " subschemas");
    }
    if (auto e = check_progress())
      return std::move(*e);
    return true;
  }

private:
  struct pending {
    node* n;
    const json* s;
    location_info info;
  };

  static error bad(const std::string& where, const std::string& reason) {
    return fail(errc::invalid_field, "invalid schema at '" + where + "': " + reason,
                {{"keywordLocation", where}, {"reason", reason}});
  }

  // ---- drafts and vocabularies ----

  /// Reads `$schema` (a standard draft or a known meta-schema).
  std::optional<error> read_dialect(const json& s, const std::string& where, draft& d,
                                    std::uint8_t& vocab) {
    auto it = s.find("$schema");
    if (it == s.end())
      return std::nullopt;
    if (!it->is_string())
      return bad(where + "/$schema", "$schema must be a string");
    const auto& uri = it->get_ref<const std::string&>();
    if (draft_from_uri(uri, d)) {
      vocab = v_default;
      return std::nullopt;
    }
    const json* meta = find_external(split_fragment(uri).resource);
    if (meta == nullptr || !meta->is_object())
      return bad(where + "/$schema", "unknown $schema \"" + uri + "\"");
    auto mit = meta->find("$schema");
    if (mit == meta->end() || !mit->is_string() || !draft_from_uri(mit->get<std::string>(), d))
      return bad(where + "/$schema", "the meta-schema \"" + uri + "\" names no known draft");
    vocab = v_default;
    if (auto vit = meta->find("$vocabulary"); vit != meta->end() && vit->is_object()) {
      vocab = 0;
      for (auto v = vit->begin(); v != vit->end(); ++v) {
        const auto& key = v.key();
        if (key.ends_with("/vocab/applicator"))
          vocab |= v_applicator | (d == draft::draft2019_09 ? v_unevaluated : 0);
        else if (key.ends_with("/vocab/validation"))
          vocab |= v_validation;
        else if (key.ends_with("/vocab/unevaluated"))
          vocab |= v_unevaluated;
        else if (key.ends_with("/vocab/format-assertion"))
          vocab |= v_format_assertion;
        else if (v.value() == true && !key.ends_with("/vocab/core") &&
                 !key.ends_with("/vocab/meta-data") && !key.ends_with("/vocab/content") &&
                 !key.ends_with("/vocab/format-annotation") && !key.ends_with("/vocab/format"))
          return bad(where + "/$schema",
                     "the meta-schema requires the unknown vocabulary \"" + key + "\"");
      }
    }
    return std::nullopt;
  }

  const json* find_external(const std::string& uri) {
    if (options_.known_schemas) {
      if (auto it = options_.known_schemas->find(uri); it != options_.known_schemas->end())
        return &it->second;
    }
    return builtin_schema(uri);
  }

  // ---- indexing: base URIs, resources, anchors ----

  resource* new_resource(const std::string& uri, const json* root) {
    plan_.resources.push_back(std::make_unique<resource>());
    auto* r = plan_.resources.back().get();
    r->uri = uri;
    resource_roots_[r] = root;
    return r;
  }

  std::optional<error> index_document(const json& doc, const std::string& uri, draft d) {
    std::uint8_t vocab = v_default;
    if (doc.is_object())
      if (auto e = read_dialect(doc, "", d, vocab))
        return e;
    auto* r = new_resource(uri, &doc);
    resources_by_uri_.emplace(uri, &doc);
    return index(doc, uri, r, d, vocab, "", 0, true);
  }

  std::optional<error> index(const json& s, std::string base, resource* res, draft d,
                             std::uint8_t vocab, const std::string& ptr, std::size_t depth,
                             bool doc_root) {
    if (depth > options_.max_schema_depth)
      return bad(ptr, "the schema is nested deeper than " +
                          std::to_string(options_.max_schema_depth) + " levels");
    if (!s.is_object()) {
      index_.emplace(&s, location_info{base, res, d, vocab, ptr});
      return std::nullopt;
    }
    const char* id_key = d == draft::draft4 ? "id" : "$id";
    const bool ref_hides_id = d <= draft::draft7 && s.contains("$ref");
    if (auto it = s.find(id_key); it != s.end() && it->is_string() && !ref_hides_id) {
      const auto& id = it->get_ref<const std::string&>();
      if (d <= draft::draft7 && id.starts_with('#')) {
        anchors_.emplace(base + id, &s);
      } else {
        // A new resource may switch the draft.
        if (!doc_root)
          if (auto e = read_dialect(s, ptr, d, vocab))
            return e;
        auto full = split_fragment(resolve_uri(base, id));
        base = full.resource;
        if (doc_root) {
          res->uri = base;
        } else {
          res = new_resource(base, &s);
        }
        resources_by_uri_.emplace(base, &s);
        if (!full.fragment.empty())
          anchors_.emplace(base + "#" + full.fragment, &s);
      }
    }
    if (d >= draft::draft2019_09) {
      if (auto it = s.find("$anchor"); it != s.end() && it->is_string())
        anchors_.emplace(base + "#" + it->get<std::string>(), &s);
      if (d == draft::draft2020_12)
        if (auto it = s.find("$dynamicAnchor"); it != s.end() && it->is_string()) {
          anchors_.emplace(base + "#" + it->get<std::string>(), &s);
          dynamic_anchors_[res].emplace_back(it->get<std::string>(), &s);
        }
      if (d == draft::draft2019_09)
        if (auto it = s.find("$recursiveAnchor");
            it != s.end() && *it == true && resource_roots_[res] == &s)
          res->recursive_anchor = true;
    }
    index_.emplace(&s, location_info{base, res, d, vocab, ptr});

    static const char* const single[] = {"additionalItems",
                                         "additionalProperties",
                                         "contains",
                                         "not",
                                         "if",
                                         "then",
                                         "else",
                                         "propertyNames",
                                         "unevaluatedItems",
                                         "unevaluatedProperties",
                                         "contentSchema",
                                         "items"};
    static const char* const arrays[] = {"allOf", "anyOf", "oneOf", "prefixItems", "items"};
    static const char* const maps[] = {"properties",  "patternProperties", "$defs",
                                       "definitions", "dependentSchemas",  "dependencies"};
    for (const char* k : single)
      if (auto it = s.find(k); it != s.end() && (it->is_object() || it->is_boolean()))
        if (auto e = index(*it, base, res, d, vocab, ptr + "/" + k, depth + 1, false))
          return e;
    for (const char* k : arrays)
      if (auto it = s.find(k); it != s.end() && it->is_array())
        for (std::size_t i = 0; i < it->size(); ++i)
          if (auto e = index((*it)[i], base, res, d, vocab, ptr + "/" + k + "/" + std::to_string(i),
                             depth + 1, false))
            return e;
    for (const char* k : maps)
      if (auto it = s.find(k); it != s.end() && it->is_object())
        for (auto m = it->begin(); m != it->end(); ++m)
          if (m.value().is_object() || m.value().is_boolean())
            if (auto e = index(m.value(), base, res, d, vocab,
                               ptr + "/" + k + "/" + escape_token(m.key()), depth + 1, false))
              return e;
    return std::nullopt;
  }

  // ---- references ----

  struct target {
    const json* s = nullptr;
    location_info info;
    std::string fragment;
  };

  result<target> resolve(const std::string& ref, const location_info& from,
                         const std::string& where) {
    auto full = split_fragment(resolve_uri(from.base, ref));
    const json* doc = nullptr;
    if (auto it = resources_by_uri_.find(full.resource); it != resources_by_uri_.end()) {
      doc = it->second;
    } else if (const json* ext = find_external(full.resource); ext != nullptr) {
      if (auto e = index_document(*ext, full.resource, from.d))
        return std::move(*e);
      doc = ext;
    } else {
      return bad(where, "$ref \"" + ref + "\" resolves to \"" + full.resource +
                            "\", which is not a known schema (remote schemas are never fetched)");
    }
    target t;
    t.fragment = full.fragment;
    if (full.fragment.empty()) {
      t.s = doc;
    } else if (full.fragment[0] == '/') {
      t.s = eval_pointer(*doc, percent_decode(full.fragment));
    } else if (auto it = anchors_.find(full.resource + "#" + full.fragment); it != anchors_.end()) {
      t.s = it->second;
    }
    if (t.s == nullptr)
      return bad(where, "$ref \"" + ref + "\" points nowhere");
    if (auto it = index_.find(t.s); it != index_.end()) {
      t.info = it->second;
    } else {
      t.info = index_.at(doc);
      t.info.pointer += percent_decode(full.fragment);
    }
    return t;
  }

  node* get_node(const json* s, const location_info& info) {
    if (auto it = nodes_.find(s); it != nodes_.end())
      return it->second;
    plan_.nodes.push_back(std::make_unique<node>());
    node* n = plan_.nodes.back().get();
    nodes_.emplace(s, n);
    node_pointers_.emplace(n, info.pointer);
    queue_.push_back(pending{n, s, info});
    return n;
  }

  // ---- subschemas ----

  std::optional<error> fill(node& n, const json& s, const location_info& info) {
    if (s.is_boolean()) {
      n.k = s.get<bool>() ? node::kind::always_true : node::kind::always_false;
      return std::nullopt;
    }
    if (!s.is_object())
      return bad(info.pointer, "a subschema must be a JSON object or a boolean");
    n.owner = info.res;
    if (resource_roots_[info.res] == &s)
      info.res->root = &n;
    if (materialized_.insert(info.res).second) {
      for (const auto& [name, js] : dynamic_anchors_[info.res])
        info.res->dynamic_anchors.emplace(name, get_node(js, index_.at(js)));
      if (info.res->root == nullptr)
        if (const json* rj = resource_roots_[info.res]; rj != nullptr && index_.count(rj) != 0)
          info.res->root = get_node(rj, index_.at(rj));
    }
    builder b{*this, n, s, info};
    return b.build();
  }

  struct builder {
    compiler& c;
    node& n;
    const json& s;
    const location_info& info;

    const draft d = info.d;

    std::string where(std::string_view key) const { return info.pointer + "/" + escape_token(key); }

    bool has(std::uint8_t v) const { return (info.vocab & v) != 0; }

    result<child> sub(const json& js, std::string loc) {
      if (!js.is_object() && !js.is_boolean())
        return bad(info.pointer + loc, "a subschema must be a JSON object or a boolean");
      location_info ci;
      if (auto it = c.index_.find(&js); it != c.index_.end()) {
        ci = it->second;
      } else {
        ci = info;
        ci.pointer += loc;
      }
      return child{c.get_node(&js, ci), std::move(loc)};
    }

    result<std::uint64_t> count(std::string_view key, const json& v) {
      if (v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0))
        return v.get<std::uint64_t>();
      if (v.is_number_float() && d >= draft::draft6) {
        auto x = v.get<double>();
        if (x >= 0 && x == std::floor(x) && x < 1.8e19)
          return static_cast<std::uint64_t>(x);
      }
      return bad(where(key), std::string{key} + " must be a non-negative integer");
    }

    result<pattern> regex(std::string_view key, const std::string& source) {
      std::string why;
      auto p = compile_pattern(source, why);
      if (!p)
        return bad(where(key), "the regex \"" + source + "\" does not compile: " + why);
      return std::move(*p);
    }

    void add(std::unique_ptr<keyword> k) { n.keywords.push_back(std::move(k)); }

    std::optional<error> ref(const char* key, ref_kw::kind kind) {
      auto it = s.find(key);
      if (it == s.end())
        return std::nullopt;
      if (!it->is_string())
        return bad(where(key), std::string{key} + " must be a string");
      auto t = c.resolve(it->get<std::string>(), info, where(key));
      if (!t)
        return std::move(t.err());
      node* target = c.get_node(t->s, t->info);
      std::string anchor;
      if (kind == ref_kw::kind::dynamic) {
        // Dynamic only when the initial target declares the same
        // $dynamicAnchor as the fragment names.
        const auto& frag = t->fragment;
        auto da = t->s->is_object() ? t->s->find("$dynamicAnchor") : t->s->end();
        if (!frag.empty() && frag[0] != '/' && t->s->is_object() && da != t->s->end() &&
            *da == frag)
          anchor = frag;
        else
          kind = ref_kw::kind::plain;
      }
      add(std::make_unique<ref_kw>(path_of({"/", key}), target, kind, std::move(anchor)));
      return std::nullopt;
    }

    std::optional<error> build() {
      if (d <= draft::draft7 && s.contains("$ref"))
        return ref("$ref", ref_kw::kind::plain); // siblings of $ref are ignored
      if (auto e = ref("$ref", ref_kw::kind::plain))
        return e;
      if (d == draft::draft2020_12)
        if (auto e = ref("$dynamicRef", ref_kw::kind::dynamic))
          return e;
      if (d == draft::draft2019_09)
        if (auto e = ref("$recursiveRef", ref_kw::kind::recursive))
          return e;
      if (has(v_validation))
        if (auto e = validation())
          return e;
      if (auto it = s.find("format"); it != s.end() && it->is_string() &&
                                      (c.options_.assert_formats || has(v_format_assertion)))
        add(std::make_unique<format_kw>("/format", it->get<std::string>()));
      if (has(v_applicator))
        if (auto e = applicators())
          return e;
      if (has(v_unevaluated) && d >= draft::draft2019_09)
        if (auto e = unevaluated())
          return e;
      return std::nullopt;
    }

    std::optional<error> validation() {
      if (auto it = s.find("type"); it != s.end()) {
        std::uint8_t mask = 0;
        auto one = [&](const json& t) {
          if (!t.is_string())
            return false;
          const auto& name = t.get_ref<const std::string&>();
          static const std::pair<const char*, std::uint8_t> names[] = {
              {"null", t_null},      {"boolean", t_boolean}, {"object", t_object},
              {"array", t_array},    {"number", t_number},   {"string", t_string},
              {"integer", t_integer}};
          for (const auto& [nm, bit] : names)
            if (name == nm) {
              mask |= bit;
              return true;
            }
          return false;
        };
        bool ok = it->is_array() ? !it->empty() : one(*it);
        if (it->is_array())
          for (const auto& t : *it)
            ok = ok && one(t);
        if (!ok)
          return bad(where("type"), "type must be a type name or an array of type names");
        add(std::make_unique<type_kw>("/type", mask, d == draft::draft4));
      }
      if (auto it = s.find("enum"); it != s.end()) {
        if (!it->is_array())
          return bad(where("enum"), "enum must be an array");
        add(std::make_unique<enum_kw>("/enum", it->get<std::vector<json>>()));
      }
      if (auto it = s.find("const"); it != s.end() && d >= draft::draft6)
        add(std::make_unique<const_kw>("/const", *it));
      if (auto it = s.find("multipleOf"); it != s.end()) {
        if (!it->is_number() || it->get<double>() <= 0)
          return bad(where("multipleOf"), "multipleOf must be a number greater than 0");
        add(std::make_unique<multiple_of_kw>("/multipleOf", *it));
      }
      if (auto e = bounds())
        return e;
      struct counted {
        const char* key;
        count_kw::what w;
        bool is_min;
      };
      static const counted counts[] = {
          {"minLength", count_kw::what::length, true},
          {"maxLength", count_kw::what::length, false},
          {"minItems", count_kw::what::items, true},
          {"maxItems", count_kw::what::items, false},
          {"minProperties", count_kw::what::properties, true},
          {"maxProperties", count_kw::what::properties, false},
      };
      for (const auto& k : counts) {
        auto it = s.find(k.key);
        if (it == s.end())
          continue;
        auto n = count(k.key, *it);
        if (!n)
          return std::move(n.err());
        add(std::make_unique<count_kw>(path_of({"/", k.key}), k.w, k.is_min, *n));
      }
      if (auto it = s.find("pattern"); it != s.end()) {
        if (!it->is_string())
          return bad(where("pattern"), "pattern must be a string");
        auto p = regex("pattern", it->get<std::string>());
        if (!p)
          return std::move(p.err());
        add(std::make_unique<pattern_kw>("/pattern", std::move(*p)));
      }
      if (auto it = s.find("uniqueItems"); it != s.end()) {
        if (!it->is_boolean())
          return bad(where("uniqueItems"), "uniqueItems must be a boolean");
        if (*it == true)
          add(std::make_unique<unique_items_kw>("/uniqueItems"));
      }
      if (auto it = s.find("required"); it != s.end()) {
        if (!it->is_array())
          return bad(where("required"), "required must be an array of strings");
        std::vector<std::string> names;
        std::vector<json> defaults;
        const auto props = s.find("properties");
        for (const auto& r : *it) {
          if (!r.is_string())
            return bad(where("required"), "required must be an array of strings");
          names.push_back(r.get<std::string>());
          json def;
          if (props != s.end() && props->is_object())
            if (auto p = props->find(names.back()); p != props->end() && p->is_object())
              if (auto dv = p->find("default"); dv != p->end())
                def = *dv;
          defaults.push_back(std::move(def));
        }
        if (!names.empty())
          add(std::make_unique<required_kw>("/required", std::move(names), std::move(defaults)));
      }
      if (d >= draft::draft2019_09)
        if (auto it = s.find("dependentRequired"); it != s.end()) {
          std::vector<dependent_required_kw::entry> deps;
          if (!it->is_object())
            return bad(where("dependentRequired"), "dependentRequired must be an object");
          for (auto m = it->begin(); m != it->end(); ++m) {
            auto names = string_array(m.value());
            if (!names)
              return bad(where("dependentRequired"),
                         "dependentRequired values must be arrays of strings");
            deps.emplace_back(m.key(), std::move(*names));
          }
          add(std::make_unique<dependent_required_kw>("/dependentRequired", std::move(deps)));
        }
      return std::nullopt;
    }

    static std::optional<std::vector<std::string>> string_array(const json& v) {
      if (!v.is_array())
        return std::nullopt;
      std::vector<std::string> out;
      for (const auto& x : v) {
        if (!x.is_string())
          return std::nullopt;
        out.push_back(x.get<std::string>());
      }
      return out;
    }

    std::optional<error> bounds() {
      auto number = [&](const char* key) -> result<const json*> {
        auto it = s.find(key);
        if (it == s.end())
          return static_cast<const json*>(nullptr);
        if (!it->is_number())
          return bad(where(key), std::string{key} + " must be a number");
        return &*it;
      };
      auto boolean = [&](const char* key) -> result<bool> {
        auto it = s.find(key);
        if (it == s.end())
          return false;
        if (!it->is_boolean())
          return bad(where(key), std::string{key} + " must be a boolean in draft 4");
        return it->get<bool>();
      };
      auto maximum = number("maximum");
      if (!maximum)
        return std::move(maximum.err());
      auto minimum = number("minimum");
      if (!minimum)
        return std::move(minimum.err());
      if (d == draft::draft4) {
        auto ex_max = boolean("exclusiveMaximum");
        if (!ex_max)
          return std::move(ex_max.err());
        auto ex_min = boolean("exclusiveMinimum");
        if (!ex_min)
          return std::move(ex_min.err());
        if (*maximum)
          add(std::make_unique<bound_kw>("/maximum", *ex_max ? bound_kw::op::lt : bound_kw::op::le,
                                         **maximum));
        if (*minimum)
          add(std::make_unique<bound_kw>("/minimum", *ex_min ? bound_kw::op::gt : bound_kw::op::ge,
                                         **minimum));
        return std::nullopt;
      }
      auto ex_max = number("exclusiveMaximum");
      if (!ex_max)
        return std::move(ex_max.err());
      auto ex_min = number("exclusiveMinimum");
      if (!ex_min)
        return std::move(ex_min.err());
      if (*maximum)
        add(std::make_unique<bound_kw>("/maximum", bound_kw::op::le, **maximum));
      if (*minimum)
        add(std::make_unique<bound_kw>("/minimum", bound_kw::op::ge, **minimum));
      if (*ex_max)
        add(std::make_unique<bound_kw>("/exclusiveMaximum", bound_kw::op::lt, **ex_max));
      if (*ex_min)
        add(std::make_unique<bound_kw>("/exclusiveMinimum", bound_kw::op::gt, **ex_min));
      return std::nullopt;
    }

    result<std::vector<child>> sub_array(const char* key) {
      const auto& arr = s.at(key);
      if (!arr.is_array() || arr.empty())
        return bad(where(key), std::string{key} + " must be a non-empty array of schemas");
      std::vector<child> out;
      for (std::size_t i = 0; i < arr.size(); ++i) {
        auto ch = sub(arr[i], path_of({"/", key, "/", std::to_string(i)}));
        if (!ch)
          return std::move(ch.err());
        out.push_back(std::move(*ch));
      }
      return out;
    }

    std::optional<error> applicators() {
      // allOf / anyOf / oneOf / not / if
      static const std::pair<const char*, combinator_kw::mode> combos[] = {
          {"allOf", combinator_kw::mode::all},
          {"anyOf", combinator_kw::mode::any},
          {"oneOf", combinator_kw::mode::one}};
      for (const auto& [key, mode] : combos) {
        if (!s.contains(key))
          continue;
        auto subs = sub_array(key);
        if (!subs)
          return std::move(subs.err());
        add(std::make_unique<combinator_kw>(path_of({"/", key}), mode, std::move(*subs)));
      }
      if (auto it = s.find("not"); it != s.end()) {
        auto ch = sub(*it, "/not");
        if (!ch)
          return std::move(ch.err());
        add(std::make_unique<not_kw>("/not", std::move(*ch)));
      }
      if (auto it = s.find("if"); it != s.end() && d >= draft::draft7) {
        auto cond = sub(*it, "/if");
        if (!cond)
          return std::move(cond.err());
        std::optional<child> then_sub;
        std::optional<child> else_sub;
        if (auto t = s.find("then"); t != s.end()) {
          auto ch = sub(*t, "/then");
          if (!ch)
            return std::move(ch.err());
          then_sub = std::move(*ch);
        }
        if (auto e = s.find("else"); e != s.end()) {
          auto ch = sub(*e, "/else");
          if (!ch)
            return std::move(ch.err());
          else_sub = std::move(*ch);
        }
        add(std::make_unique<if_kw>("/if", std::move(*cond), std::move(then_sub),
                                    std::move(else_sub)));
      }
      if (auto e = dependencies())
        return e;
      if (auto e = object())
        return e;
      if (auto e = array())
        return e;
      return std::nullopt;
    }

    std::optional<error> dependencies() {
      std::vector<dependent_schemas_kw::entry> schemas;
      std::vector<dependent_required_kw::entry> required;
      const char* key = d >= draft::draft2019_09 ? "dependentSchemas" : "dependencies";
      auto it = s.find(key);
      if (it == s.end())
        return std::nullopt;
      if (!it->is_object())
        return bad(where(key), std::string{key} + " must be an object");
      for (auto m = it->begin(); m != it->end(); ++m) {
        const std::string loc = path_of({"/", key, "/", escape_token(m.key())});
        if (m.value().is_array() && d <= draft::draft7) {
          auto names = string_array(m.value());
          if (!names)
            return bad(info.pointer + loc, "a property dependency must be an array of strings");
          required.emplace_back(m.key(), std::move(*names));
          continue;
        }
        auto ch = sub(m.value(), loc);
        if (!ch)
          return std::move(ch.err());
        schemas.emplace_back(m.key(), std::move(*ch));
      }
      if (!required.empty() && has(v_validation))
        add(std::make_unique<dependent_required_kw>(path_of({"/", key}), std::move(required)));
      if (!schemas.empty())
        add(std::make_unique<dependent_schemas_kw>(path_of({"/", key}), std::move(schemas)));
      return std::nullopt;
    }

    std::optional<error> object() {
      std::vector<object_kw::named> props;
      std::vector<object_kw::patterned> patterns;
      std::optional<child> additional;
      if (auto it = s.find("properties"); it != s.end()) {
        if (!it->is_object())
          return bad(where("properties"), "properties must be an object");
        for (auto m = it->begin(); m != it->end(); ++m) {
          auto ch = sub(m.value(), "/properties/" + escape_token(m.key()));
          if (!ch)
            return std::move(ch.err());
          props.push_back(object_kw::named{m.key(), std::move(*ch)});
        }
      }
      if (auto it = s.find("patternProperties"); it != s.end()) {
        if (!it->is_object())
          return bad(where("patternProperties"), "patternProperties must be an object");
        for (auto m = it->begin(); m != it->end(); ++m) {
          auto p = regex("patternProperties", m.key());
          if (!p)
            return std::move(p.err());
          auto ch = sub(m.value(), "/patternProperties/" + escape_token(m.key()));
          if (!ch)
            return std::move(ch.err());
          patterns.push_back(object_kw::patterned{std::move(*p), std::move(*ch)});
        }
      }
      if (auto it = s.find("additionalProperties"); it != s.end()) {
        auto ch = sub(*it, "/additionalProperties");
        if (!ch)
          return std::move(ch.err());
        additional = std::move(*ch);
      }
      if (!props.empty() || !patterns.empty() || additional)
        add(std::make_unique<object_kw>("/properties", std::move(props), std::move(patterns),
                                        std::move(additional), "/additionalProperties"));
      if (auto it = s.find("propertyNames"); it != s.end() && d >= draft::draft6) {
        auto ch = sub(*it, "/propertyNames");
        if (!ch)
          return std::move(ch.err());
        add(std::make_unique<property_names_kw>("/propertyNames", std::move(*ch)));
      }
      return std::nullopt;
    }

    std::optional<error> array() {
      std::vector<child> prefix;
      std::optional<child> rest;
      auto items = s.find("items");
      if (d == draft::draft2020_12) {
        if (s.contains("prefixItems")) {
          auto subs = sub_array("prefixItems");
          if (!subs)
            return std::move(subs.err());
          prefix = std::move(*subs);
        }
        if (items != s.end()) {
          auto ch = sub(*items, "/items");
          if (!ch)
            return std::move(ch.err());
          rest = std::move(*ch);
        }
      } else if (items != s.end()) {
        if (items->is_array()) {
          for (std::size_t i = 0; i < items->size(); ++i) {
            auto ch = sub((*items)[i], "/items/" + std::to_string(i));
            if (!ch)
              return std::move(ch.err());
            prefix.push_back(std::move(*ch));
          }
          if (auto it = s.find("additionalItems"); it != s.end()) {
            auto ch = sub(*it, "/additionalItems");
            if (!ch)
              return std::move(ch.err());
            rest = std::move(*ch);
          }
        } else {
          auto ch = sub(*items, "/items");
          if (!ch)
            return std::move(ch.err());
          rest = std::move(*ch);
        }
      }
      if (!prefix.empty() || rest)
        add(std::make_unique<array_kw>("/items", std::move(prefix), std::move(rest)));
      if (auto it = s.find("contains"); it != s.end() && d >= draft::draft6) {
        auto ch = sub(*it, "/contains");
        if (!ch)
          return std::move(ch.err());
        std::uint64_t min = 1;
        std::optional<std::uint64_t> max;
        if (d >= draft::draft2019_09 && has(v_validation)) {
          if (auto m = s.find("minContains"); m != s.end()) {
            auto n = count("minContains", *m);
            if (!n)
              return std::move(n.err());
            min = *n;
          }
          if (auto m = s.find("maxContains"); m != s.end()) {
            auto n = count("maxContains", *m);
            if (!n)
              return std::move(n.err());
            max = *n;
          }
        }
        add(std::make_unique<contains_kw>("/contains", std::move(*ch), min, max,
                                          d >= draft::draft2020_12));
      }
      return std::nullopt;
    }

    std::optional<error> unevaluated() {
      if (auto it = s.find("unevaluatedItems"); it != s.end()) {
        auto ch = sub(*it, "/unevaluatedItems");
        if (!ch)
          return std::move(ch.err());
        add(std::make_unique<unevaluated_items_kw>("/unevaluatedItems", std::move(*ch)));
        n.has_unevaluated = true;
      }
      if (auto it = s.find("unevaluatedProperties"); it != s.end()) {
        auto ch = sub(*it, "/unevaluatedProperties");
        if (!ch)
          return std::move(ch.err());
        add(std::make_unique<unevaluated_properties_kw>("/unevaluatedProperties", std::move(*ch)));
        n.has_unevaluated = true;
      }
      return std::nullopt;
    }
  };

  /// Rejects cycles of in-place applicators ($ref, allOf, ...): evaluating
  /// one would recurse forever on the same instance location.
  std::optional<error> check_progress() {
    enum class color : std::uint8_t { white, grey, black };
    std::unordered_map<const node*, color> seen;
    std::vector<const node*> kids;
    for (const auto& start : plan_.nodes) {
      if (seen[start.get()] != color::white)
        continue;
      // Iterative DFS: (node, next child index, its children).
      struct frame {
        const node* n;
        std::vector<const node*> children;
        std::size_t next = 0;
      };
      std::vector<frame> stack;
      auto push = [&](const node* n) {
        frame f{n, {}, 0};
        for (const auto& k : n->keywords)
          k->in_place_children(f.children);
        seen[n] = color::grey;
        stack.push_back(std::move(f));
      };
      push(start.get());
      while (!stack.empty()) {
        auto& top = stack.back();
        if (top.next == top.children.size()) {
          seen[top.n] = color::black;
          stack.pop_back();
          continue;
        }
        const node* next = top.children[top.next++];
        auto col = seen[next];
        if (col == color::grey)
          return bad(node_pointers_[next],
                     "recursion without progress: a cycle of $ref/allOf/anyOf/... that never "
                     "moves into the instance");
        if (col == color::white)
          push(next);
      }
    }
    return std::nullopt;
  }

  const compile_options& options_;
  compiled_schema::impl& plan_;
  std::unordered_map<const json*, location_info> index_;
  std::map<std::string, const json*, std::less<>> resources_by_uri_;
  std::map<std::string, const json*, std::less<>> anchors_;
  std::map<const resource*, const json*> resource_roots_;
  std::map<const resource*, std::vector<std::pair<std::string, const json*>>> dynamic_anchors_;
  std::set<const resource*> materialized_;
  std::unordered_map<const json*, node*> nodes_;
  std::unordered_map<const node*, std::string> node_pointers_;
  std::deque<pending> queue_;
};

} // namespace

bool draft_from_uri(std::string_view uri, draft& out) noexcept {
  if (uri.ends_with('#'))
    uri.remove_suffix(1);
  if (uri.starts_with("https://"))
    uri.remove_prefix(8);
  else if (uri.starts_with("http://"))
    uri.remove_prefix(7);
  else
    return false;
  if (uri == "json-schema.org/draft-04/schema")
    out = draft::draft4;
  else if (uri == "json-schema.org/draft-06/schema")
    out = draft::draft6;
  else if (uri == "json-schema.org/draft-07/schema")
    out = draft::draft7;
  else if (uri == "json-schema.org/draft/2019-09/schema")
    out = draft::draft2019_09;
  else if (uri == "json-schema.org/draft/2020-12/schema")
    out = draft::draft2020_12;
  else
    return false;
  return true;
}

result<bool> compile_into(const json& schema, const compile_options& options,
                          compiled_schema::impl& plan) {
  plan.options = options;
  plan.options.known_schemas.reset(); // not needed after compile
  compiler c{options, plan};
  return c.run(schema);
}

} // namespace nzl::schema::internal
