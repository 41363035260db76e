// The meta-schemas of the supported drafts, so that a schema may `$ref` them
// (e.g. to validate a schema document). Transcribed for this project from the
// JSON Schema specifications (json-schema.org); titles, descriptions and
// defaults that do not affect validation are left out.

#include "plugins/schema/internal/compiler.hpp"

#include <map>
#include <string>
#include <string_view>

namespace nzl::schema::internal {

namespace {

constexpr const char* draft4 = R"({
  "id": "http://json-schema.org/draft-04/schema#",
  "$schema": "http://json-schema.org/draft-04/schema#",
  "definitions": {
    "schemaArray": {"type": "array", "minItems": 1, "items": {"$ref": "#"}},
    "positiveInteger": {"type": "integer", "minimum": 0},
    "positiveIntegerDefault0": {"allOf": [{"$ref": "#/definitions/positiveInteger"}, {"default": 0}]},
    "simpleTypes": {"enum": ["array", "boolean", "integer", "null", "number", "object", "string"]},
    "stringArray": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": true}
  },
  "type": "object",
  "properties": {
    "id": {"type": "string"},
    "$schema": {"type": "string"},
    "title": {"type": "string"},
    "description": {"type": "string"},
    "default": {},
    "multipleOf": {"type": "number", "minimum": 0, "exclusiveMinimum": true},
    "maximum": {"type": "number"},
    "exclusiveMaximum": {"type": "boolean", "default": false},
    "minimum": {"type": "number"},
    "exclusiveMinimum": {"type": "boolean", "default": false},
    "maxLength": {"$ref": "#/definitions/positiveInteger"},
    "minLength": {"$ref": "#/definitions/positiveIntegerDefault0"},
    "pattern": {"type": "string", "format": "regex"},
    "additionalItems": {"anyOf": [{"type": "boolean"}, {"$ref": "#"}], "default": {}},
    "items": {"anyOf": [{"$ref": "#"}, {"$ref": "#/definitions/schemaArray"}], "default": {}},
    "maxItems": {"$ref": "#/definitions/positiveInteger"},
    "minItems": {"$ref": "#/definitions/positiveIntegerDefault0"},
    "uniqueItems": {"type": "boolean", "default": false},
    "maxProperties": {"$ref": "#/definitions/positiveInteger"},
    "minProperties": {"$ref": "#/definitions/positiveIntegerDefault0"},
    "required": {"$ref": "#/definitions/stringArray"},
    "additionalProperties": {"anyOf": [{"type": "boolean"}, {"$ref": "#"}], "default": {}},
    "definitions": {"type": "object", "additionalProperties": {"$ref": "#"}, "default": {}},
    "properties": {"type": "object", "additionalProperties": {"$ref": "#"}, "default": {}},
    "patternProperties": {"type": "object", "additionalProperties": {"$ref": "#"}, "default": {}},
    "dependencies": {
      "type": "object",
      "additionalProperties": {"anyOf": [{"$ref": "#"}, {"$ref": "#/definitions/stringArray"}]}
    },
    "enum": {"type": "array", "minItems": 1, "uniqueItems": true},
    "type": {
      "anyOf": [
        {"$ref": "#/definitions/simpleTypes"},
        {"type": "array", "items": {"$ref": "#/definitions/simpleTypes"}, "minItems": 1, "uniqueItems": true}
      ]
    },
    "format": {"type": "string"},
    "allOf": {"$ref": "#/definitions/schemaArray"},
    "anyOf": {"$ref": "#/definitions/schemaArray"},
    "oneOf": {"$ref": "#/definitions/schemaArray"},
    "not": {"$ref": "#"}
  },
  "dependencies": {"exclusiveMaximum": ["maximum"], "exclusiveMinimum": ["minimum"]},
  "default": {}
})";

// Draft 6 and 7 share most of their meta-schema; %EXTRA% marks where draft 7
// adds its keywords.
constexpr const char* draft6 = R"({
  "$schema": "http://json-schema.org/draft-06/schema#",
  "$id": "http://json-schema.org/draft-06/schema#",
  "definitions": {
    "schemaArray": {"type": "array", "minItems": 1, "items": {"$ref": "#"}},
    "nonNegativeInteger": {"type": "integer", "minimum": 0},
    "nonNegativeIntegerDefault0": {"allOf": [{"$ref": "#/definitions/nonNegativeInteger"}, {"default": 0}]},
    "simpleTypes": {"enum": ["array", "boolean", "integer", "null", "number", "object", "string"]},
    "stringArray": {"type": "array", "items": {"type": "string"}, "uniqueItems": true, "default": []}
  },
  "type": ["object", "boolean"],
  "properties": {
    "$id": {"type": "string", "format": "uri-reference"},
    "$schema": {"type": "string", "format": "uri"},
    "$ref": {"type": "string", "format": "uri-reference"},
    "title": {"type": "string"},
    "description": {"type": "string"},
    "default": {},
    "examples": {"type": "array", "items": {}},
    "multipleOf": {"type": "number", "exclusiveMinimum": 0},
    "maximum": {"type": "number"},
    "exclusiveMaximum": {"type": "number"},
    "minimum": {"type": "number"},
    "exclusiveMinimum": {"type": "number"},
    "maxLength": {"$ref": "#/definitions/nonNegativeInteger"},
    "minLength": {"$ref": "#/definitions/nonNegativeIntegerDefault0"},
    "pattern": {"type": "string", "format": "regex"},
    "additionalItems": {"$ref": "#"},
    "items": {"anyOf": [{"$ref": "#"}, {"$ref": "#/definitions/schemaArray"}], "default": {}},
    "maxItems": {"$ref": "#/definitions/nonNegativeInteger"},
    "minItems": {"$ref": "#/definitions/nonNegativeIntegerDefault0"},
    "uniqueItems": {"type": "boolean", "default": false},
    "contains": {"$ref": "#"},
    "maxProperties": {"$ref": "#/definitions/nonNegativeInteger"},
    "minProperties": {"$ref": "#/definitions/nonNegativeIntegerDefault0"},
    "required": {"$ref": "#/definitions/stringArray"},
    "additionalProperties": {"$ref": "#"},
    "definitions": {"type": "object", "additionalProperties": {"$ref": "#"}, "default": {}},
    "properties": {"type": "object", "additionalProperties": {"$ref": "#"}, "default": {}},
    "patternProperties": {
      "type": "object", "additionalProperties": {"$ref": "#"},
      "propertyNames": {"format": "regex"}, "default": {}
    },
    "dependencies": {
      "type": "object",
      "additionalProperties": {"anyOf": [{"$ref": "#"}, {"$ref": "#/definitions/stringArray"}]}
    },
    "propertyNames": {"$ref": "#"},
    "const": {},
    "enum": {"type": "array"},
    "type": {
      "anyOf": [
        {"$ref": "#/definitions/simpleTypes"},
        {"type": "array", "items": {"$ref": "#/definitions/simpleTypes"}, "minItems": 1, "uniqueItems": true}
      ]
    },
    "format": {"type": "string"},
    "allOf": {"$ref": "#/definitions/schemaArray"},
    "anyOf": {"$ref": "#/definitions/schemaArray"},
    "oneOf": {"$ref": "#/definitions/schemaArray"},
    "not": {"$ref": "#"}%EXTRA%
  },
  "default": {}
})";

constexpr const char* draft7_extra = R"(,
    "$comment": {"type": "string"},
    "readOnly": {"type": "boolean", "default": false},
    "writeOnly": {"type": "boolean", "default": false},
    "contentMediaType": {"type": "string"},
    "contentEncoding": {"type": "string"},
    "if": {"$ref": "#"},
    "then": {"$ref": "#"},
    "else": {"$ref": "#"})";

// 2019-09 and 2020-12: a main meta-schema made of one meta-schema per
// vocabulary. %D% is the draft ("2019-09"), %R% the recursive reference
// ("\"$recursiveRef\": \"#\"" or "\"$dynamicRef\": \"#meta\""), %A% the
// recursive anchor declaration.
constexpr const char* modern_main_2019 = R"({
  "$schema": "https://json-schema.org/draft/2019-09/schema",
  "$id": "https://json-schema.org/draft/2019-09/schema",
  "$vocabulary": {
    "https://json-schema.org/draft/2019-09/vocab/core": true,
    "https://json-schema.org/draft/2019-09/vocab/applicator": true,
    "https://json-schema.org/draft/2019-09/vocab/validation": true,
    "https://json-schema.org/draft/2019-09/vocab/meta-data": true,
    "https://json-schema.org/draft/2019-09/vocab/format": false,
    "https://json-schema.org/draft/2019-09/vocab/content": true
  },
  "$recursiveAnchor": true,
  "allOf": [
    {"$ref": "meta/core"}, {"$ref": "meta/applicator"}, {"$ref": "meta/validation"},
    {"$ref": "meta/meta-data"}, {"$ref": "meta/format"}, {"$ref": "meta/content"}
  ],
  "type": ["object", "boolean"],
  "properties": {
    "definitions": {"type": "object", "additionalProperties": {"$recursiveRef": "#"}, "default": {}},
    "dependencies": {
      "type": "object",
      "additionalProperties": {"anyOf": [{"$recursiveRef": "#"}, {"$ref": "meta/validation#/$defs/stringArray"}]}
    }
  }
})";

constexpr const char* modern_main_2020 = R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://json-schema.org/draft/2020-12/schema",
  "$vocabulary": {
    "https://json-schema.org/draft/2020-12/vocab/core": true,
    "https://json-schema.org/draft/2020-12/vocab/applicator": true,
    "https://json-schema.org/draft/2020-12/vocab/unevaluated": true,
    "https://json-schema.org/draft/2020-12/vocab/validation": true,
    "https://json-schema.org/draft/2020-12/vocab/meta-data": true,
    "https://json-schema.org/draft/2020-12/vocab/format-annotation": true,
    "https://json-schema.org/draft/2020-12/vocab/content": true
  },
  "$dynamicAnchor": "meta",
  "allOf": [
    {"$ref": "meta/core"}, {"$ref": "meta/applicator"}, {"$ref": "meta/unevaluated"},
    {"$ref": "meta/validation"}, {"$ref": "meta/meta-data"}, {"$ref": "meta/format-annotation"},
    {"$ref": "meta/content"}
  ],
  "type": ["object", "boolean"],
  "properties": {
    "definitions": {"type": "object", "additionalProperties": {"$dynamicRef": "#meta"}, "default": {}},
    "dependencies": {
      "type": "object",
      "additionalProperties": {"anyOf": [{"$dynamicRef": "#meta"}, {"$ref": "meta/validation#/$defs/stringArray"}]}
    },
    "$recursiveAnchor": {"$ref": "meta/core#/$defs/anchorString"},
    "$recursiveRef": {"$ref": "meta/core#/$defs/uriReferenceString"}
  }
})";

constexpr const char* modern_core = R"({
  "$schema": "https://json-schema.org/draft/%D%/schema",
  "$id": "https://json-schema.org/draft/%D%/meta/core",
  "$vocabulary": {"https://json-schema.org/draft/%D%/vocab/core": true},
  %A%,
  "type": ["object", "boolean"],
  "properties": {
    "$id": {"type": "string", "format": "uri-reference", "pattern": "^[^#]*#?$"},
    "$schema": {"type": "string", "format": "uri"},
    "$ref": {"type": "string", "format": "uri-reference"},
    "$anchor": {"$ref": "#/$defs/anchorString"},
    %CORE_EXTRA%,
    "$vocabulary": {
      "type": "object",
      "propertyNames": {"type": "string", "format": "uri"},
      "additionalProperties": {"type": "boolean"}
    },
    "$comment": {"type": "string"},
    "$defs": {"type": "object", "additionalProperties": {%R%}, "default": {}}
  },
  "$defs": {
    "anchorString": {"type": "string", "pattern": "^[A-Za-z_][-A-Za-z0-9._]*$"},
    "uriString": {"type": "string", "format": "uri"},
    "uriReferenceString": {"type": "string", "format": "uri-reference"}
  }
})";

constexpr const char* core_extra_2019 =
    R"("$recursiveRef": {"type": "string", "format": "uri-reference"},
    "$recursiveAnchor": {"type": "boolean", "default": false})";
constexpr const char* core_extra_2020 =
    R"("$dynamicRef": {"type": "string", "format": "uri-reference"},
    "$dynamicAnchor": {"$ref": "#/$defs/anchorString"})";

constexpr const char* modern_applicator = R"({
  "$schema": "https://json-schema.org/draft/%D%/schema",
  "$id": "https://json-schema.org/draft/%D%/meta/applicator",
  "$vocabulary": {"https://json-schema.org/draft/%D%/vocab/applicator": true},
  %A%,
  "type": ["object", "boolean"],
  "properties": {
    %ITEMS%,
    "contains": {%R%},
    "additionalProperties": {%R%},
    "properties": {"type": "object", "additionalProperties": {%R%}, "default": {}},
    "patternProperties": {
      "type": "object", "additionalProperties": {%R%},
      "propertyNames": {"format": "regex"}, "default": {}
    },
    "dependentSchemas": {"type": "object", "additionalProperties": {%R%}, "default": {}},
    "propertyNames": {%R%},
    "if": {%R%},
    "then": {%R%},
    "else": {%R%},
    "allOf": {"$ref": "#/$defs/schemaArray"},
    "anyOf": {"$ref": "#/$defs/schemaArray"},
    "oneOf": {"$ref": "#/$defs/schemaArray"},
    "not": {%R%}
  },
  "$defs": {"schemaArray": {"type": "array", "minItems": 1, "items": {%R%}}}
})";

constexpr const char* items_2019 = R"("additionalItems": {"$recursiveRef": "#"},
    "unevaluatedItems": {"$recursiveRef": "#"},
    "items": {"anyOf": [{"$recursiveRef": "#"}, {"$ref": "#/$defs/schemaArray"}]},
    "unevaluatedProperties": {"$recursiveRef": "#"})";
constexpr const char* items_2020 = R"("prefixItems": {"$ref": "#/$defs/schemaArray"},
    "items": {"$dynamicRef": "#meta"})";

constexpr const char* unevaluated_2020 = R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://json-schema.org/draft/2020-12/meta/unevaluated",
  "$vocabulary": {"https://json-schema.org/draft/2020-12/vocab/unevaluated": true},
  "$dynamicAnchor": "meta",
  "type": ["object", "boolean"],
  "properties": {
    "unevaluatedItems": {"$dynamicRef": "#meta"},
    "unevaluatedProperties": {"$dynamicRef": "#meta"}
  }
})";

constexpr const char* modern_validation = R"({
  "$schema": "https://json-schema.org/draft/%D%/schema",
  "$id": "https://json-schema.org/draft/%D%/meta/validation",
  "$vocabulary": {"https://json-schema.org/draft/%D%/vocab/validation": true},
  %A%,
  "type": ["object", "boolean"],
  "properties": {
    "type": {
      "anyOf": [
        {"$ref": "#/$defs/simpleTypes"},
        {"type": "array", "items": {"$ref": "#/$defs/simpleTypes"}, "minItems": 1, "uniqueItems": true}
      ]
    },
    "const": true,
    "enum": {"type": "array", "items": true},
    "multipleOf": {"type": "number", "exclusiveMinimum": 0},
    "maximum": {"type": "number"},
    "exclusiveMaximum": {"type": "number"},
    "minimum": {"type": "number"},
    "exclusiveMinimum": {"type": "number"},
    "maxLength": {"$ref": "#/$defs/nonNegativeInteger"},
    "minLength": {"$ref": "#/$defs/nonNegativeIntegerDefault0"},
    "pattern": {"type": "string", "format": "regex"},
    "maxItems": {"$ref": "#/$defs/nonNegativeInteger"},
    "minItems": {"$ref": "#/$defs/nonNegativeIntegerDefault0"},
    "uniqueItems": {"type": "boolean", "default": false},
    "maxContains": {"$ref": "#/$defs/nonNegativeInteger"},
    "minContains": {"$ref": "#/$defs/nonNegativeInteger", "default": 1},
    "maxProperties": {"$ref": "#/$defs/nonNegativeInteger"},
    "minProperties": {"$ref": "#/$defs/nonNegativeIntegerDefault0"},
    "required": {"$ref": "#/$defs/stringArray"},
    "dependentRequired": {"type": "object", "additionalProperties": {"$ref": "#/$defs/stringArray"}}
  },
  "$defs": {
    "nonNegativeInteger": {"type": "integer", "minimum": 0},
    "nonNegativeIntegerDefault0": {"$ref": "#/$defs/nonNegativeInteger", "default": 0},
    "simpleTypes": {"enum": ["array", "boolean", "integer", "null", "number", "object", "string"]},
    "stringArray": {"type": "array", "items": {"type": "string"}, "uniqueItems": true, "default": []}
  }
})";

constexpr const char* modern_meta_data = R"({
  "$schema": "https://json-schema.org/draft/%D%/schema",
  "$id": "https://json-schema.org/draft/%D%/meta/meta-data",
  "$vocabulary": {"https://json-schema.org/draft/%D%/vocab/meta-data": true},
  %A%,
  "type": ["object", "boolean"],
  "properties": {
    "title": {"type": "string"},
    "description": {"type": "string"},
    "default": true,
    "deprecated": {"type": "boolean", "default": false},
    "readOnly": {"type": "boolean", "default": false},
    "writeOnly": {"type": "boolean", "default": false},
    "examples": {"type": "array", "items": true}
  }
})";

constexpr const char* modern_format = R"({
  "$schema": "https://json-schema.org/draft/%D%/schema",
  "$id": "https://json-schema.org/draft/%D%/meta/%FORMAT%",
  "$vocabulary": {"https://json-schema.org/draft/%D%/vocab/%FORMAT%": %FORMAT_REQUIRED%},
  %A%,
  "type": ["object", "boolean"],
  "properties": {"format": {"type": "string"}}
})";

constexpr const char* modern_content = R"({
  "$schema": "https://json-schema.org/draft/%D%/schema",
  "$id": "https://json-schema.org/draft/%D%/meta/content",
  "$vocabulary": {"https://json-schema.org/draft/%D%/vocab/content": true},
  %A%,
  "type": ["object", "boolean"],
  "properties": {
    "contentEncoding": {"type": "string"},
    "contentMediaType": {"type": "string"},
    "contentSchema": {%R%}
  }
})";

std::string replace_all(const std::string& s, std::string_view from, std::string_view to) {
  std::string out;
  std::size_t pos = 0;
  for (auto hit = s.find(from); hit != std::string::npos; hit = s.find(from, pos)) {
    out.append(s, pos, hit - pos);
    out.append(to);
    pos = hit + from.size();
  }
  out.append(s, pos, std::string::npos);
  return out;
}

std::string modern(const char* text, bool is2020) {
  std::string s = text;
  s = replace_all(s, "%D%", is2020 ? "2020-12" : "2019-09");
  s = replace_all(s, "%R%", is2020 ? R"("$dynamicRef": "#meta")" : R"("$recursiveRef": "#")");
  s = replace_all(s, "%A%", is2020 ? R"("$dynamicAnchor": "meta")" : R"("$recursiveAnchor": true)");
  s = replace_all(s, "%CORE_EXTRA%", is2020 ? core_extra_2020 : core_extra_2019);
  s = replace_all(s, "%ITEMS%", is2020 ? items_2020 : items_2019);
  s = replace_all(s, "%FORMAT%", is2020 ? "format-annotation" : "format");
  s = replace_all(s, "%FORMAT_REQUIRED%", is2020 ? "true" : "false");
  return s;
}

using table = std::map<std::string, json, std::less<>>;

void add(table& t, const std::string& text) {
  auto j = json::parse(text); // our own constants: a parse error is a bug
  std::string id = j.contains("$id") ? j["$id"].get<std::string>() : j["id"].get<std::string>();
  if (id.ends_with('#'))
    id.pop_back();
  t.emplace(std::move(id), std::move(j));
}

const table& all() {
  static const table t = [] {
    table out;
    add(out, draft4);
    add(out, replace_all(draft6, "%EXTRA%", ""));
    add(out, replace_all(replace_all(draft6, "%EXTRA%", draft7_extra), "draft-06", "draft-07"));
    add(out, modern_main_2019);
    add(out, modern_main_2020);
    add(out, unevaluated_2020);
    for (bool is2020 : {false, true})
      for (const char* part : {modern_core, modern_applicator, modern_validation, modern_meta_data,
                               modern_format, modern_content})
        add(out, modern(part, is2020));
    return out;
  }();
  return t;
}

} // namespace

const json* builtin_schema(std::string_view uri) {
  if (uri.ends_with('#'))
    uri.remove_suffix(1);
  const auto& t = all();
  if (auto it = t.find(uri); it != t.end())
    return &it->second;
  // http and https name the same meta-schemas.
  std::string other;
  if (uri.starts_with("https://"))
    other.append("http://").append(uri.substr(8));
  else if (uri.starts_with("http://"))
    other.append("https://").append(uri.substr(7));
  if (auto it = t.find(other); it != t.end())
    return &it->second;
  return nullptr;
}

} // namespace nzl::schema::internal
