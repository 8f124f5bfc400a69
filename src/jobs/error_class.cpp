#include "jobs/error_class.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "archive/writer_lock.h"

namespace mv::jobs {
namespace {

bool Contains(std::string_view text, std::string_view needle) {
  return text.find(needle) != std::string_view::npos;
}

// Finds "HTTP NNN" in a message (http::StatusFromHttp's wording): the status, or 0.
int HttpStatusIn(std::string_view message) {
  int found = 0;
  for (size_t pos = message.find("HTTP "); pos != std::string_view::npos;
       pos = message.find("HTTP ", pos + 1)) {
    std::string_view rest = message.substr(pos + 5);
    if (rest.size() >= 3 &&
        std::all_of(rest.begin(), rest.begin() + 3, [](char c) { return c >= '0' && c <= '9'; })) {
      found = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
    }
  }
  return found;
}

bool IsHexRun(std::string_view word) {
  return word.size() >= 8 && std::all_of(word.begin(), word.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c)) != 0;
         });
}

}  // namespace

ErrorClass Classify(const Status& status) {
  const std::string& m = status.message();
  ErrorClass out;
  out.retry_after = status.retry_after();
  const int http = HttpStatusIn(m);
  switch (status.code()) {
    case StatusCode::kUnavailable:
      out.transient = true;
      if (Contains(m, "SlowDown")) {
        out.name = "s3_slowdown";
      } else if (http == 429) {
        out.name = "http_429";
      } else if (http >= 500) {
        out.name = "http_5xx";
      } else if (archive::IsWriterLockBusy(status)) {
        out.name = "lock_held";
      } else if (Contains(m, "timed out") || Contains(m, "timeout") || http == 408) {
        out.name = "timeout";
      } else if (Contains(m, "database is locked") || Contains(m, "busy") ||
                 Contains(m, "serialization")) {
        out.name = "busy";
      } else {
        out.name = "connection";
      }
      return out;
    case StatusCode::kCorruption:
      out.name = Contains(m, "SHA-256 mismatch") || Contains(m, "does not match the Release") ||
                         Contains(m, "size mismatch")
                     ? "hash_mismatch"
                     : "malformed";
      return out;
    case StatusCode::kPermissionDenied:
      out.name = "permission";
      return out;
    case StatusCode::kNotFound:
      out.name = "not_found";
      return out;
    case StatusCode::kInvalidArgument:
      if (Contains(m, "signature") || Contains(m, "gpgv") || Contains(m, "keyring")) {
        out.name = "signature";
      } else if (Contains(m, "configuration") || Contains(m, "config") ||
                 Contains(m, "no upstream")) {
        out.name = "config";
      } else {
        out.name = "malformed";
      }
      return out;
    default:
      // A transient failure the lower layers marked retryable keeps that nature.
      out.transient = status.retryable();
      out.name = out.transient ? "connection" : "internal";
      return out;
  }
}

std::string FailureSignature(std::string_view error_class, std::string_view message) {
  // Words of digits become N, long hex runs H, quoted values '…' "…" become '?'; the rest stays.
  std::string out(error_class);
  out += ": ";
  size_t i = 0;
  while (i < message.size()) {
    char c = message[i];
    if (c == '\'' || c == '"') {
      size_t end = message.find(c, i + 1);
      if (end != std::string_view::npos && end - i <= 200) {
        out += c;
        out += '?';
        out += c;
        i = end + 1;
        continue;
      }
    }
    if (std::isalnum(static_cast<unsigned char>(c))) {
      size_t end = i;
      while (end < message.size() && std::isalnum(static_cast<unsigned char>(message[end]))) ++end;
      std::string_view word = message.substr(i, end - i);
      if (std::all_of(word.begin(), word.end(), [](char d) { return d >= '0' && d <= '9'; })) {
        out += 'N';
      } else if (IsHexRun(word)) {
        out += 'H';
      } else {
        out += word;
      }
      i = end;
      continue;
    }
    out += c;
    ++i;
  }
  if (out.size() > 300) out.resize(300);
  return out;
}

std::chrono::milliseconds RetryDelay(const Backoff& backoff, int attempt,
                                     std::chrono::milliseconds retry_after) {
  http::RetryPolicy policy{.base_delay = backoff.base, .max_delay = backoff.cap};
  return std::max(http::BackoffDelay(policy, std::max(attempt, 1)), retry_after);
}

}  // namespace mv::jobs
