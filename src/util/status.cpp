#include "util/status.h"

#include <cerrno>
#include <cstring>

namespace mv {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kNotFound:
      return "NotFound";
    case StatusCode::kAlreadyExists:
      return "AlreadyExists";
    case StatusCode::kPreconditionFailed:
      return "PreconditionFailed";
    case StatusCode::kInvalidArgument:
      return "InvalidArgument";
    case StatusCode::kPermissionDenied:
      return "PermissionDenied";
    case StatusCode::kUnavailable:
      return "Unavailable";
    case StatusCode::kCorruption:
      return "Corruption";
    case StatusCode::kInternal:
      return "Internal";
  }
  return "Unknown";
}

namespace {

// What a reader is told the failure was, as apt and git word it; "" where the message says it
// (an invalid argument's message names what is wrong).
std::string_view StatusCodePhrase(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "";
    case StatusCode::kNotFound:
      return "not found";
    case StatusCode::kAlreadyExists:
      return "already exists";
    case StatusCode::kPreconditionFailed:
      return "precondition failed";
    case StatusCode::kInvalidArgument:
      return "";
    case StatusCode::kPermissionDenied:
      return "permission denied";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kCorruption:
      return "corrupt data";
    case StatusCode::kInternal:
      return "internal error";
  }
  return "error";
}

}  // namespace

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string_view phrase = StatusCodePhrase(code_);
  if (message_.empty()) return std::string(phrase.empty() ? StatusCodeName(code_) : phrase);
  // A message that already says it ("... not found") needs no prefix.
  if (phrase.empty() || message_.find(phrase) != std::string::npos) return message_;
  return std::string(phrase) + ": " + message_;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string message(context);
  if (!message_.empty()) {
    message += ": ";
    message += message_;
  }
  Status out(code_, std::move(message), retryable_);
  out.retry_after_ = retry_after_;
  return out;
}

Status Status::WithRetryable(bool retryable) const {
  if (ok()) return *this;
  Status out(code_, message_, retryable);
  out.retry_after_ = retry_after_;
  return out;
}

Status Status::WithRetryAfter(std::chrono::milliseconds delay) const {
  if (ok()) return *this;
  Status out = *this;
  out.retry_after_ = delay;
  return out;
}

Status NotFound(std::string message) { return {StatusCode::kNotFound, std::move(message)}; }
Status AlreadyExists(std::string message) {
  return {StatusCode::kAlreadyExists, std::move(message)};
}
Status PreconditionFailed(std::string message) {
  return {StatusCode::kPreconditionFailed, std::move(message)};
}
Status InvalidArgument(std::string message) {
  return {StatusCode::kInvalidArgument, std::move(message)};
}
Status PermissionDenied(std::string message) {
  return {StatusCode::kPermissionDenied, std::move(message)};
}
Status Unavailable(std::string message) {
  return {StatusCode::kUnavailable, std::move(message), /*retryable=*/true};
}
Status Corruption(std::string message) { return {StatusCode::kCorruption, std::move(message)}; }
Status Internal(std::string message) { return {StatusCode::kInternal, std::move(message)}; }

Status ErrnoStatus(int err, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return NotFound(std::move(message));
    case EEXIST:
      return AlreadyExists(std::move(message));
    case EACCES:
    case EPERM:
    case EROFS:
      return PermissionDenied(std::move(message));
    case EINVAL:
    case ENAMETOOLONG:
    case EISDIR:
      return InvalidArgument(std::move(message));
    case EINTR:
    case EAGAIN:
      return Unavailable(std::move(message));
    case ENOSPC:
    case EDQUOT:
    case EMFILE:
    case ENFILE:
    case ENOMEM:
      return {StatusCode::kUnavailable, std::move(message), /*retryable=*/false};
    case EIO:
      return Corruption(std::move(message));
    default:
      return Internal(std::move(message));
  }
}

}  // namespace mv
