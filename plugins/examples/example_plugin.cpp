// The example external plugin: the template for plugin authors (see
// docs/plugins.md). Built against plugins/abi/noizylab_plugin.h only, with no
// library of the node, to prove that the C ABI is the whole boundary.
//
// - handler `example-reverse`: {"text": "abc"} -> {"text": "cba"} (reverses
//   by Unicode code point, so UTF-8 stays valid).
// - middleware `example-guard` (order 100): refuses a payload that is an
//   object with "forbidden": true (422), and adds "annotated_by":
//   "example-plugin" to every result that is an object.
//
// The rules it follows: nothing is thrown across the ABI (every entry point
// goes through `guarded`), outputs are malloc'ed and freed by `free_output`,
// no mutable global state (every function may run on several threads).
#include "noizylab_plugin.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::size_t max_text_bytes = 1u << 20;

/// Hands `text` to the host in a malloc'ed buffer (freed by free_output).
int put(nzl_output* out, const std::string& text, int rc) {
  out->data = nullptr;
  out->size = 0;
  if (auto* p = static_cast<char*>(std::malloc(text.empty() ? 1 : text.size()))) {
    std::memcpy(p, text.data(), text.size());
    out->data = p;
    out->size = text.size();
  }
  return rc;
}

int ok(nzl_output* out, const nlohmann::json& value) {
  return put(out, value.dump(), NZL_PLUGIN_OK);
}

int error(nzl_output* out, int status, const char* code, const std::string& detail,
          nlohmann::json extensions = nlohmann::json::object()) {
  nlohmann::json e{
      {"status", status}, {"code", code}, {"detail", detail}, {"extensions", extensions}};
  return put(out, e.dump(), NZL_PLUGIN_ERROR);
}

/// Runs `body` and turns any exception into an error object: an exception
/// must never unwind into the host through a C frame.
template <class Body> int guarded(nzl_output* out, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    try {
      return error(out, 500, "internal", std::string{"example plugin: "} + e.what());
    } catch (...) {
    }
  } catch (...) {
  }
  out->data = nullptr; // even building the error failed (out of memory)
  return NZL_PLUGIN_ERROR;
}

/// Reverses UTF-8 text by code point (the input is valid UTF-8: it came
/// from a JSON parser).
std::string reverse_code_points(std::string_view s) {
  std::vector<std::string_view> points;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    n = std::min(n, s.size() - i);
    points.push_back(s.substr(i, n));
    i += n;
  }
  std::string out;
  out.reserve(s.size());
  for (auto p = points.rbegin(); p != points.rend(); ++p)
    out.append(*p);
  return out;
}

int reverse_run(void*, const nzl_host_api* host, nzl_host_ctx* ctx, const char* payload,
                std::size_t len, nzl_output* out) {
  return guarded(out, [&] {
    auto in = nlohmann::json::parse(payload, payload + len, nullptr, false);
    if (in.is_discarded() || !in.is_object() || !in.contains("text") || !in["text"].is_string())
      return error(out, 400, "invalid_field", "payload.text must be a string",
                   {{"field", "payload.text"}});
    const auto& text = in["text"].get_ref<const std::string&>();
    if (text.size() > max_text_bytes)
      return error(out, 400, "invalid_field", "payload.text is longer than 1 MiB",
                   {{"field", "payload.text"}});
    if (host->cancelled(ctx))
      return error(out, 422, "task_cancelled", "cancelled before it started");
    auto reversed = reverse_code_points(text);
    host->progress(ctx, 100, "reversed", 8);
    return ok(out, {{"text", reversed}});
  });
}

int guard_before(void*, const nzl_host_api*, nzl_host_ctx*, const char*, std::size_t,
                 const char* payload, std::size_t len, nzl_output* out) {
  return guarded(out, [&] {
    out->data = nullptr; // keep the payload unless refused
    auto in = nlohmann::json::parse(payload, payload + len, nullptr, false);
    if (in.is_object()) {
      auto f = in.find("forbidden");
      if (f != in.end() && f->is_boolean() && f->get<bool>())
        return error(out, 422, "task_failed",
                     "the example guard refuses payloads with "
                     "\"forbidden\": true",
                     {{"field", "payload.forbidden"}});
    }
    return NZL_PLUGIN_OK;
  });
}

int guard_after(void*, const nzl_host_api*, nzl_host_ctx*, const char*, std::size_t, int failed,
                const char* outcome, std::size_t len, nzl_output* out) {
  return guarded(out, [&] {
    out->data = nullptr; // keep errors and non-object results as they are
    if (failed)
      return NZL_PLUGIN_OK;
    auto result = nlohmann::json::parse(outcome, outcome + len, nullptr, false);
    if (!result.is_object())
      return NZL_PLUGIN_OK;
    result["annotated_by"] = "example-plugin";
    return ok(out, result);
  });
}

void free_output(char* data) {
  std::free(data);
}

const nzl_handler_desc handlers[] = {
    {"example-reverse", nullptr, reverse_run},
};

const nzl_middleware_desc middleware[] = {
    {"example-guard", 100, nullptr, guard_before, guard_after},
};

const nzl_plugin_desc descriptor = {
    NZL_PLUGIN_ABI_VERSION, "example", "1.0.0", handlers, 1, middleware, 1, free_output,
};

} // namespace

extern "C" NZL_PLUGIN_EXPORT const nzl_plugin_desc* NZL_PLUGIN_ENTRY(uint32_t host_abi_version) {
  return host_abi_version == NZL_PLUGIN_ABI_VERSION ? &descriptor : nullptr;
}
