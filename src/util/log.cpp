#include "util/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <memory>

#include "util/encoding.h"
#include "util/redact.h"
#include "util/units.h"

namespace mv {
namespace {

constexpr std::string_view kPattern = "time=%Y-%m-%dT%H:%M:%S.%eZ level=%l %v";

struct LevelName {
  LogLevel level;
  std::string_view name;
  spdlog::level::level_enum spd;
};

constexpr std::array<LevelName, 6> kLevels = {{
    {LogLevel::kTrace, "trace", spdlog::level::trace},
    {LogLevel::kDebug, "debug", spdlog::level::debug},
    {LogLevel::kInfo, "info", spdlog::level::info},
    {LogLevel::kWarn, "warn", spdlog::level::warn},
    {LogLevel::kError, "error", spdlog::level::err},
    {LogLevel::kOff, "off", spdlog::level::off},
}};

spdlog::level::level_enum ToSpdlog(LogLevel level) {
  for (const LevelName& l : kLevels) {
    if (l.level == level) return l.spd;
  }
  return spdlog::level::info;
}

bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '"' || c == '=' || c == '\\') return true;
  }
  return false;
}

void AppendValue(std::string& out, std::string_view v) {
  if (!NeedsQuotes(v)) {
    out += v;
    return;
  }
  AppendQuoted(out, v, QuoteStyle::kLogfmt);
}

}  // namespace

Result<LogLevel> ParseLogLevel(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "warning") return LogLevel::kWarn;
  for (const LevelName& l : kLevels) {
    if (l.name == lower) return l.level;
  }
  return InvalidArgument("unknown log level \"" + std::string(name) + "\" (expected " +
                         std::string(LogLevelNames()) + ")");
}

std::string_view LogLevelNames() {
  static const std::string kNames = [] {
    std::string out;
    for (size_t i = 0; i < kLevels.size(); ++i) {
      if (i > 0) out += i + 1 == kLevels.size() ? " or " : ", ";
      out += kLevels[i].name;
    }
    return out;
  }();
  return kNames;
}

std::string_view LogLevelName(LogLevel level) {
  for (const LevelName& l : kLevels) {
    if (l.level == level) return l.name;
  }
  return "info";
}

void InitLogging(LogLevel level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("mirrorvault", std::move(sink));
  logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
      std::string(kPattern), spdlog::pattern_time_type::utc));
  logger->set_level(ToSpdlog(level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
}

void SetLogLevel(LogLevel level) { spdlog::set_level(ToSpdlog(level)); }

LogLevel GetLogLevel() {
  spdlog::level::level_enum current = spdlog::get_level();
  for (const LevelName& l : kLevels) {
    if (l.spd == current) return l.level;
  }
  return LogLevel::kError;  // spdlog's "critical" sits between error and off
}

bool ShouldLog(LogLevel level) {
  return level != LogLevel::kOff && spdlog::default_logger_raw()->should_log(ToSpdlog(level));
}

LogField::LogField(std::string_view key, double value) : key_(key) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", value);
  value_ = buf;
}

LogField::LogField(std::string_view key, std::chrono::milliseconds value)
    : key_(key), value_(FormatDuration(value)) {}

std::string FormatLogLine(std::string_view message, std::initializer_list<LogField> fields) {
  std::string out = "msg=";
  AppendValue(out, RedactSecrets(message));
  for (const LogField& f : fields) {
    out += ' ';
    out += f.key();
    out += '=';
    AppendValue(out, IsSecretName(f.key()) ? std::string(kRedacted) : RedactSecrets(f.value()));
  }
  return out;
}

void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  if (!ShouldLog(level)) return;
  std::string line = FormatLogLine(message, fields);
  // The string_view overload: the line is not a format string ("{}" stays as is).
  spdlog::default_logger_raw()->log(spdlog::source_loc{}, ToSpdlog(level),
                                    spdlog::string_view_t(line.data(), line.size()));
}

}  // namespace mv
