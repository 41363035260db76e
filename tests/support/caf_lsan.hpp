#pragma once

// CAF 0.17.6's middleman leaks its broker (and what hangs off it: a scribe,
// the doorman table, the node id, over TLS the OpenSSL session) when the
// actor system ends soon after the middleman started, or after a peer died
// or was refused. LeakSanitizer then fails the process at exit. These are
// the suppressions for processes that run a middleman: cluster test nodes
// (written to a file, LSAN_OPTIONS) and the unit tests that run one in
// process (tests/support/caf_lsan_suppressions.cpp). Nothing else gets them.

namespace nzl::test {

inline constexpr const char* caf_lsan_suppressions = "leak:libcaf_io.so\n"
                                                     "leak:libcaf_core.so\n"
                                                     "leak:libcaf_openssl.so\n"
                                                     "leak:libssl.so\n"
                                                     "leak:libcrypto.so\n";

} // namespace nzl::test
