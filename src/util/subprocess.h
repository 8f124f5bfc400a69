// Running a helper program (gpgv, ...) without a shell and capturing what it prints.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "util/status.h"

namespace mv {

struct ProcessResult {
  int exit_code = 0;  // the program's exit status; 128 + N when killed by signal N
  std::string out;    // what it wrote to stdout
  std::string err;    // and to stderr
};

// Runs argv[0] (looked up in PATH) with `argv`, stdin from /dev/null, and waits for it. An error
// only when it cannot be started (NotFound naming the program when it is not installed) or
// prints more than `max_output` bytes on either stream; a non-zero exit is the caller's to judge.
Result<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                 size_t max_output = 16u << 20);

}  // namespace mv
