// The access log: one line per answered request in the combined log format nginx and Apache
// write, plus the time taken in seconds, so the usual log tools read it:
//   127.0.0.1 - - [22/Nov/2026:09:00:00 +0000] "GET /archive/d/now/x HTTP/1.1" 200 2048 "-"
//   "curl/7.88.1" 0.000213
// Lines are buffered and written when the buffer fills, on Flush (the server calls it every
// second) and on destruction. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "util/mutex.h"
#include "util/status.h"
#include "util/thread_annotations.h"

namespace mv::httpd {

struct AccessRecord {
  std::string_view client;  // address
  std::chrono::system_clock::time_point time;
  std::string_view method, target;
  unsigned version = 11;  // 10 or 11
  int status = 0;
  uint64_t bytes = 0;  // body bytes sent
  std::string_view referer, user_agent;
  double seconds = 0;
};

class AccessLog {
 public:
  // `path`: a file (appended to), or "-" for standard output.
  static Result<std::unique_ptr<AccessLog>> Open(const std::string& path);
  ~AccessLog();

  void Write(const AccessRecord& record) EXCLUDES(mu_);
  void Flush() EXCLUDES(mu_);

  // One line, without the newline (exposed for tests).
  static std::string Format(const AccessRecord& record);

 private:
  AccessLog(std::FILE* file, bool owned) : file_(file), owned_(owned) {}
  void FlushLocked() REQUIRES(mu_);
  util::Mutex mu_;
  std::string buffer_ GUARDED_BY(mu_);
  std::FILE* file_;
  bool owned_;
};

}  // namespace mv::httpd
