// Linked (as an object) into unit-test executables that run a CAF middleman
// in process; see caf_lsan.hpp. LeakSanitizer asks for this hook at exit.
#include "tests/support/caf_lsan.hpp"

extern "C" const char* __lsan_default_suppressions();

extern "C" const char* __lsan_default_suppressions() {
  return nzl::test::caf_lsan_suppressions;
}
