#include "httpd/access_log.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <memory>

namespace mv::httpd {
namespace {

constexpr size_t kFlushAt = 64 * 1024;

// A quoted field of the combined format: quotes, backslashes and control bytes escaped, so a
// hostile target or user agent cannot forge a line.
void AppendQuoted(std::string& out, std::string_view s) {
  out += '"';
  if (s.empty()) out += '-';
  for (unsigned char c : s.substr(0, 2048)) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

}  // namespace

Result<std::unique_ptr<AccessLog>> AccessLog::Open(const std::string& path) {
  if (path == "-") return std::unique_ptr<AccessLog>(new AccessLog(stdout, false));
  std::FILE* f = std::fopen(path.c_str(), "ae");
  if (f == nullptr) {
    return Status(StatusCode::kInvalidArgument,
                  "cannot open access log " + path + ": " + std::strerror(errno));
  }
  return std::unique_ptr<AccessLog>(new AccessLog(f, true));
}

AccessLog::~AccessLog() {
  Flush();
  if (owned_) std::fclose(file_);
}

std::string AccessLog::Format(const AccessRecord& r) {
  std::string out;
  out.reserve(256);
  out += r.client.empty() ? std::string_view("-") : r.client;
  // The time, formatted once per second per thread.
  thread_local std::time_t last = -1;
  thread_local char when[40];
  std::time_t t = std::chrono::system_clock::to_time_t(r.time);
  if (t != last) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(when, sizeof when, " - - [%d/%b/%Y:%H:%M:%S +0000] ", &tm);
    last = t;
  }
  out += when;
  std::string request(r.method);
  request += ' ';
  request += r.target;
  request += r.version == 10 ? " HTTP/1.0" : " HTTP/1.1";
  AppendQuoted(out, request);
  out += ' ' + std::to_string(r.status) + ' ' + std::to_string(r.bytes) + ' ';
  AppendQuoted(out, r.referer);
  out += ' ';
  AppendQuoted(out, r.user_agent);
  // Seconds with six decimals, without printf's floating-point path.
  uint64_t micros = static_cast<uint64_t>(std::llround(r.seconds * 1e6));
  std::string frac = std::to_string(micros % 1000000);
  out += ' ' + std::to_string(micros / 1000000) + '.' + std::string(6 - frac.size(), '0') + frac;
  return out;
}

void AccessLog::Write(const AccessRecord& record) {
  std::string line = Format(record);
  line += '\n';
  util::MutexLock lock(mu_);
  buffer_ += line;
  if (buffer_.size() >= kFlushAt) FlushLocked();
}

void AccessLog::Flush() {
  util::MutexLock lock(mu_);
  FlushLocked();
}

void AccessLog::FlushLocked() {
  if (buffer_.empty()) return;
  std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
  std::fflush(file_);
  buffer_.clear();
}

}  // namespace mv::httpd
