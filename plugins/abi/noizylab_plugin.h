/*
 * noizylab_plugin.h: the C ABI between a NoizyLab Cloud Agent node and an
 * external plugin (a shared library loaded with dlopen). Plain C, no other
 * header of the project, so that a plugin built with another compiler or
 * standard library still loads. See docs/plugins.md for the full rules.
 *
 * The contract in short:
 * - A plugin exports one symbol, NZL_PLUGIN_ENTRY (`nzl_plugin_entry`), that
 *   returns a pointer to a descriptor living as long as the library (static
 *   storage). The host refuses a descriptor whose abi_version differs from
 *   the host's NZL_PLUGIN_ABI_VERSION.
 * - Data crosses as JSON text (pointer + length, UTF-8, not NUL-terminated).
 *   Input buffers belong to the host and are valid only during the call.
 *   Output buffers are allocated by the plugin and handed to the host, which
 *   releases each exactly once with the descriptor's free_output.
 * - A function returns NZL_PLUGIN_OK or NZL_PLUGIN_ERROR. With NZL_PLUGIN_ERROR
 *   the output (if any) is a JSON error object:
 *     {"status": 422, "code": "task_failed", "detail": "why", "extensions": {...}}
 *   (status and code optional: the host maps them to its error codes).
 * - No exception, longjmp or other unwinding may leave a plugin function:
 *   unwinding through a C frame is undefined behaviour. Catch everything.
 * - Every function may be called from several threads at once.
 * - The host never unloads a library once loaded (no dlclose): static state
 *   lives as long as the process.
 */
#ifndef NOIZYLAB_PLUGIN_H
#define NOIZYLAB_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Raised on any incompatible change of the structs or functions below. */
#define NZL_PLUGIN_ABI_VERSION 1u

/* The name of the one exported entry function. */
#define NZL_PLUGIN_ENTRY nzl_plugin_entry
#define NZL_PLUGIN_ENTRY_NAME "nzl_plugin_entry"

#if defined(_WIN32)
#define NZL_PLUGIN_EXPORT __declspec(dllexport)
#else
#define NZL_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

#define NZL_PLUGIN_OK 0
#define NZL_PLUGIN_ERROR 1

/* Opaque: the running task, as seen by the host callbacks. */
typedef struct nzl_host_ctx nzl_host_ctx;

/* What the host offers a running function. Valid only during the call. */
typedef struct nzl_host_api {
  uint32_t abi_version;
  /* Reports progress (0..100) with a short stage name (UTF-8, stage_len bytes). */
  void (*progress)(nzl_host_ctx* ctx, int percent, const char* stage, size_t stage_len);
  /* Non-zero once the client, a deadline or shutdown gave up on the task:
   * a long-running function checks it between steps and returns early. */
  int (*cancelled)(nzl_host_ctx* ctx);
  /* The region the task runs in (not NUL-terminated; *len receives its size). */
  const char* (*region)(nzl_host_ctx* ctx, size_t* len);
} nzl_host_api;

/* A buffer handed from the plugin to the host; data == NULL means "none". */
typedef struct nzl_output {
  char* data;
  size_t size;
} nzl_output;

/* Runs a task of the handler's type: payload JSON in, result JSON (or an
 * error object, with NZL_PLUGIN_ERROR) out. */
typedef int (*nzl_run_fn)(void* user_data, const nzl_host_api* host, nzl_host_ctx* ctx,
                          const char* payload, size_t payload_len, nzl_output* out);

/* Before a task of any type runs. NZL_PLUGIN_OK with out->data == NULL keeps
 * the payload; NZL_PLUGIN_OK with data replaces it (JSON); NZL_PLUGIN_ERROR
 * refuses the task (out: error object) and the handler does not run. */
typedef int (*nzl_before_fn)(void* user_data, const nzl_host_api* host, nzl_host_ctx* ctx,
                             const char* type, size_t type_len, const char* payload,
                             size_t payload_len, nzl_output* out);

/* After a task ran (or a later middleware refused it). `failed` is non-zero
 * when `outcome` is an error object, zero when it is the result. Return
 * NZL_PLUGIN_OK with out->data == NULL to keep the outcome, NZL_PLUGIN_OK with
 * data to replace it by a result, NZL_PLUGIN_ERROR (out: error object) to
 * turn it into an error. */
typedef int (*nzl_after_fn)(void* user_data, const nzl_host_api* host, nzl_host_ctx* ctx,
                            const char* type, size_t type_len, int failed, const char* outcome,
                            size_t outcome_len, nzl_output* out);

typedef struct nzl_handler_desc {
  const char* type; /* task type, [a-z0-9][a-z0-9._-]{0,63}, unique on the node */
  void* user_data;  /* passed back to run */
  nzl_run_fn run;
} nzl_handler_desc;

typedef struct nzl_middleware_desc {
  const char* name; /* [a-z0-9][a-z0-9._-]{0,63}, unique on the node */
  int32_t order;    /* lower runs first before a task, last after it */
  void* user_data;
  nzl_before_fn before_task; /* may be NULL */
  nzl_after_fn after_task;   /* may be NULL */
} nzl_middleware_desc;

typedef struct nzl_plugin_desc {
  uint32_t abi_version; /* must be first and equal NZL_PLUGIN_ABI_VERSION */
  const char* name;     /* plugin name, same rules as a type */
  const char* version;  /* free text, at most 64 bytes, e.g. "1.2.0" */
  const nzl_handler_desc* handlers;
  size_t handler_count;
  const nzl_middleware_desc* middleware;
  size_t middleware_count;
  /* Releases an nzl_output.data this plugin returned. Required. */
  void (*free_output)(char* data);
} nzl_plugin_desc;

/* The entry point. host_abi_version lets a plugin that supports several
 * versions choose; return NULL to decline. Called once per load. */
typedef const nzl_plugin_desc* (*nzl_plugin_entry_fn)(uint32_t host_abi_version);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* NOIZYLAB_PLUGIN_H */
