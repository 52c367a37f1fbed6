// FUZZ_CHECK(cond): a fuzz target's invariant. On failure it names the condition and the line and
// aborts, which libFuzzer reports as a crash and keeps the input (tests/fuzz/README.md).
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, \
                   __LINE__);                                                  \
      std::abort();                                                            \
    }                                                                          \
  } while (0)
