// Status and Result<T>: expected failures as values.
//
// A Status is OK or carries a code from a small closed set, a message that names what failed and
// where, and a retryable bit that the one retry policy (src/http/retry_policy.h) honours.
// Thread safety: values; safe to copy between threads.
#pragma once

#include <cassert>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace mv {

enum class StatusCode {
  kOk = 0,
  kNotFound,
  kAlreadyExists,
  kPreconditionFailed,
  kInvalidArgument,
  kPermissionDenied,
  kUnavailable,
  kCorruption,
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, bool retryable = false)
      : code_(code), message_(std::move(message)), retryable_(retryable) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // True when repeating the same (idempotent) operation may succeed.
  bool retryable() const { return retryable_; }
  // How long the other side asked us to wait before trying again (HTTP Retry-After), when it
  // said; zero otherwise.
  std::chrono::milliseconds retry_after() const { return retry_after_; }

  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  bool IsAlreadyExists() const { return code_ == StatusCode::kAlreadyExists; }
  bool IsPreconditionFailed() const { return code_ == StatusCode::kPreconditionFailed; }

  // In words for a reader, "not found: <message>" (status.cpp); StatusCodeName() names the code.
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>"; keeps code and retryable bit.
  Status WithContext(std::string_view context) const;
  Status WithRetryable(bool retryable) const;
  Status WithRetryAfter(std::chrono::milliseconds delay) const;

  // Deliberately ignoring a status is explicit and searchable.
  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  bool retryable_ = false;
  std::chrono::milliseconds retry_after_{0};
};

Status NotFound(std::string message);
Status AlreadyExists(std::string message);
Status PreconditionFailed(std::string message);
Status InvalidArgument(std::string message);
Status PermissionDenied(std::string message);
Status Unavailable(std::string message);  // retryable
Status Corruption(std::string message);
Status Internal(std::string message);

// Maps an errno value to a Status, naming `what` (a path, an operation).
Status ErrnoStatus(int err, std::string_view what);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "Result constructed from an OK status without a value");
    if (status_.ok()) status_ = Internal("Result constructed from an OK status without a value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace mv

#define MV_CONCAT_INNER_(a, b) a##b
#define MV_CONCAT_(a, b) MV_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function when it is not OK.
#define MV_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::mv::Status mv_status_ = (expr);        \
    if (!mv_status_.ok()) return mv_status_; \
  } while (0)

// `MV_ASSIGN_OR_RETURN(auto x, Fn());` declares x from a Result or returns its status.
#define MV_ASSIGN_OR_RETURN(lhs, expr) \
  MV_ASSIGN_OR_RETURN_IMPL_(MV_CONCAT_(mv_result_, __LINE__), lhs, expr)
#define MV_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
