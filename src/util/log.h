// Structured logging on spdlog's default logger, one logfmt line per event:
//   time=2024-02-29T15:30:07.123Z level=info msg="run committed" archive=debian files=1204
//
// Secrets never reach a line: the value of a field whose key names a secret (IsSecretName) is
// replaced by REDACTED, and every URL in the message or a value goes through RedactUrl (see
// util/redact.h). The only global state is spdlog's default logger (its sink and level).
// Thread-safe.
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "util/status.h"

namespace mv {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kOff };

// "trace", "debug", "info", "warn" (or "warning"), "error", "off"; any case. InvalidArgument
// naming the text and the accepted names.
Result<LogLevel> ParseLogLevel(std::string_view name);
std::string_view LogLevelName(LogLevel level);
// The accepted names as a phrase, "trace, debug, info, warn, error or off", for help and errors.
std::string_view LogLevelNames();

// Points spdlog's default logger at stderr with the logfmt pattern above (UTC) and sets its
// level. Called by main; may be called again.
void InitLogging(LogLevel level);
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
bool ShouldLog(LogLevel level);

// One key=value pair. The key is not copied: a LogField lives for one Log() call.
class LogField {
 public:
  LogField(std::string_view key, std::string_view value) : key_(key), value_(value) {}
  LogField(std::string_view key, const std::string& value) : key_(key), value_(value) {}
  LogField(std::string_view key, const char* value) : key_(key), value_(value) {}
  template <typename T>
  requires std::integral<T> &&
      (!std::same_as<T, bool>)&&(!std::same_as<T, char>)LogField(std::string_view key, T value)
      : key_(key), value_(std::to_string(value)) {}
  LogField(std::string_view key, bool value) : key_(key), value_(value ? "true" : "false") {}
  LogField(std::string_view key, double value);
  LogField(std::string_view key, std::chrono::milliseconds value);  // "1h30m", "250ms"
  LogField(std::string_view key, const Status& status) : key_(key), value_(status.ToString()) {}

  std::string_view key() const { return key_; }
  const std::string& value() const { return value_; }

 private:
  std::string_view key_;
  std::string value_;
};

// `msg="..." key=value ...`: values quoted when empty or holding spaces, "=", quotes or control
// characters (escaped as \" \\ \n \t \r \xNN); secrets redacted as described above.
std::string FormatLogLine(std::string_view message, std::initializer_list<LogField> fields);

// Logs when `level` is enabled (the line is not even formatted otherwise).
void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});

inline void LogDebug(std::string_view message, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kDebug, message, fields);
}
inline void LogInfo(std::string_view message, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kInfo, message, fields);
}
inline void LogWarn(std::string_view message, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kWarn, message, fields);
}
inline void LogError(std::string_view message, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kError, message, fields);
}

}  // namespace mv
