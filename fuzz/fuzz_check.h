// Shared by the libFuzzer targets in this folder: property checks that abort (so libFuzzer keeps
// the input as a crash artifact) and the rule every parser's errors follow.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>

#include "util/status.h"

namespace mv::fuzz {

// Prints what broke and aborts. NDEBUG builds keep it (it is not assert).
[[noreturn]] inline void Fail(const char* file, int line, const char* what,
                              std::string_view detail) {
  std::fprintf(stderr, "%s:%d: property violated: %s\n", file, line, what);
  if (!detail.empty()) {
    std::fprintf(stderr, "  %.*s\n", static_cast<int>(detail.size()), detail.data());
  }
  std::abort();
}

// "Bad input gets a clear error": a failed parse says something, with one of the codes the
// parser's contract allows.
inline void CheckError(const Status& status, std::initializer_list<StatusCode> allowed,
                       const char* file, int line) {
  if (status.ok()) return;
  if (status.message().empty()) Fail(file, line, "error without a message", status.ToString());
  for (StatusCode code : allowed) {
    if (status.code() == code) return;
  }
  Fail(file, line, "error with an unexpected code", status.ToString());
}

// Text for messages: bytes outside printable ASCII as \xNN.
inline std::string Printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace mv::fuzz

#define MV_FUZZ_CHECK(cond, detail)                                     \
  do {                                                                  \
    if (!(cond)) ::mv::fuzz::Fail(__FILE__, __LINE__, #cond, (detail)); \
  } while (0)

#define MV_FUZZ_CHECK_ERROR(status, ...) \
  ::mv::fuzz::CheckError((status), {__VA_ARGS__}, __FILE__, __LINE__)
