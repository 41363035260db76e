// Validations per second of the JSON Schema validator (issue 8).
//
// The schema is an OpenAPI-like "order" object with $defs and $refs, patterns,
// enums, formats (annotations) and nested arrays; the document is ~1 KiB.
// Compiled: one plan, many documents (is_valid, and validate() which builds
// the basic output). Cold: compile + validate per document. Cached: the
// json-validator handler's path (schema_cache lookup by text + validate).
// Run: schema_bench --benchmark_min_time=1 (one thread, so one core).

#include "plugins/schema/schema_cache.hpp"
#include "plugins/schema/validator.hpp"

#include <benchmark/benchmark.h>

namespace {

using nlohmann::json;

const json& order_schema() {
  static const json s = json::parse(R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://example.com/schemas/order.json",
  "$defs": {
    "money": {
      "type": "object", "required": ["amount", "currency"], "additionalProperties": false,
      "properties": {
        "amount": {"type": "number", "minimum": 0},
        "currency": {"type": "string", "enum": ["EUR", "USD", "GBP", "JPY"]}
      }
    },
    "address": {
      "type": "object", "required": ["street", "city", "country"], "additionalProperties": false,
      "properties": {
        "street": {"type": "string", "minLength": 1, "maxLength": 200},
        "city": {"type": "string", "minLength": 1},
        "postcode": {"type": "string", "maxLength": 10},
        "country": {"type": "string", "pattern": "^[A-Z]{2}$"}
      }
    },
    "item": {
      "type": "object", "required": ["sku", "quantity", "price"],
      "properties": {
        "sku": {"type": "string", "minLength": 8, "maxLength": 8},
        "name": {"type": "string", "maxLength": 100},
        "quantity": {"type": "integer", "minimum": 1, "maximum": 1000},
        "price": {"$ref": "#/$defs/money"},
        "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": true, "maxItems": 10}
      },
      "additionalProperties": false
    }
  },
  "type": "object",
  "required": ["id", "customer", "items", "total", "status"],
  "properties": {
    "id": {"type": "string", "format": "uuid"},
    "status": {"enum": ["pending", "paid", "shipped", "cancelled"]},
    "customer": {
      "type": "object", "required": ["name", "email"],
      "properties": {
        "name": {"type": "string", "minLength": 1},
        "email": {"type": "string", "format": "email"},
        "address": {"$ref": "#/$defs/address"}
      }
    },
    "items": {"type": "array", "minItems": 1, "maxItems": 100, "items": {"$ref": "#/$defs/item"}},
    "total": {"$ref": "#/$defs/money"},
    "created": {"type": "string", "format": "date-time"},
    "notes": {"type": ["string", "null"], "maxLength": 1000}
  },
  "additionalProperties": false
})json");
  return s;
}

json valid_order() {
  return json::parse(R"json({
  "id": "3f2b8c1e-9a4d-4e6b-8f7a-2c5d1e0b9a88",
  "status": "paid",
  "customer": {
    "name": "Ada Lovelace", "email": "ada@example.com",
    "address": {"street": "12 Analytical Engine Road", "city": "London", "postcode": "NW1 6XE",
                "country": "GB"}
  },
  "items": [
    {"sku": "ABC-1234", "name": "Difference engine gear", "quantity": 12,
     "price": {"amount": 19.99, "currency": "GBP"}, "tags": ["brass", "gear"]},
    {"sku": "XYZ-0042", "name": "Punched card (box of 500)", "quantity": 3,
     "price": {"amount": 4.5, "currency": "GBP"}, "tags": ["paper"]},
    {"sku": "LMN-7777", "name": "Steam valve", "quantity": 1,
     "price": {"amount": 120, "currency": "GBP"}, "tags": []},
    {"sku": "QRS-1010", "name": "Oil can", "quantity": 2,
     "price": {"amount": 7.25, "currency": "GBP"}},
    {"sku": "TUV-2024", "name": "Brass fittings (assorted)", "quantity": 40,
     "price": {"amount": 0.85, "currency": "GBP"}, "tags": ["brass", "small-parts"]}
  ],
  "total": {"amount": 387.88, "currency": "GBP"},
  "created": "2024-05-01T12:34:56Z",
  "notes": "Leave at the door. Ring twice. Handle the steam valve with care, it is fragile. Invoice to the Royal Society, attn. C. Babbage."
})json");
}

json invalid_order() {
  auto d = valid_order();
  d["status"] = "payed";
  d["items"][0]["quantity"] = "12";
  d["items"][1]["price"]["currency"] = "EURO";
  d["customer"]["adress"] = d["customer"]["address"];
  d["total"].erase("currency");
  return d;
}

const nzl::schema::compiled_schema& plan() {
  static const auto p = nzl::schema::compile(order_schema()).value();
  return p;
}

void BM_compiled_is_valid(benchmark::State& state) {
  const auto doc = valid_order();
  for (auto _ : state)
    benchmark::DoNotOptimize(plan().is_valid(doc));
  state.SetItemsProcessed(state.iterations());
  state.counters["doc_bytes"] = static_cast<double>(doc.dump().size());
}
BENCHMARK(BM_compiled_is_valid);

void BM_compiled_validate_valid(benchmark::State& state) {
  const auto doc = valid_order();
  for (auto _ : state)
    benchmark::DoNotOptimize(plan().validate(doc));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_compiled_validate_valid);

void BM_compiled_is_valid_invalid(benchmark::State& state) {
  const auto doc = invalid_order();
  for (auto _ : state)
    benchmark::DoNotOptimize(plan().is_valid(doc));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_compiled_is_valid_invalid);

void BM_compiled_validate_invalid(benchmark::State& state) {
  const auto doc = invalid_order();
  std::size_t errors = 0;
  for (auto _ : state) {
    auto out = plan().validate(doc);
    errors = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["errors"] = static_cast<double>(errors);
}
BENCHMARK(BM_compiled_validate_invalid);

void BM_cached_handler_path(benchmark::State& state) {
  nzl::schema::schema_cache cache;
  const auto doc = valid_order();
  for (auto _ : state) {
    auto p = cache.get(order_schema(), {});
    benchmark::DoNotOptimize(p->validate(doc));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_cached_handler_path);

void BM_cold_compile_and_validate(benchmark::State& state) {
  const auto doc = valid_order();
  for (auto _ : state) {
    auto p = nzl::schema::compile(order_schema());
    benchmark::DoNotOptimize(p->validate(doc));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_cold_compile_and_validate);

} // namespace

BENCHMARK_MAIN();
