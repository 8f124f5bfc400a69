#include "util/config_value.h"

#include <algorithm>
#include <cassert>

#include "util/strings.h"
#include "util/units.h"

namespace mv {
namespace {

bool IsBareKey(std::string_view key) {
  if (key.empty()) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

// The TOML spelling of a key in a path: bare when possible, else quoted.
std::string KeyInPath(std::string_view key) {
  if (IsBareKey(key)) return std::string(key);
  std::string out = "\"";
  for (char c : key) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string SourcePosition::ToString() const {
  std::string out = file;
  if (line > 0) {
    out += (out.empty() ? "line " : ":") + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  return out;
}

std::string_view ConfigValue::KindName(Kind kind) {
  switch (kind) {
    case Kind::kTable:
      return "a table";
    case Kind::kArray:
      return "an array";
    case Kind::kString:
      return "a string";
    case Kind::kInteger:
      return "an integer";
    case Kind::kFloat:
      return "a float";
    case Kind::kBoolean:
      return "a boolean";
    case Kind::kDateTime:
      return "a date-time";
  }
  return "a value";
}

ConfigValue ConfigValue::Scalar(Kind kind, SourcePosition where) {
  ConfigValue v;
  v.kind_ = kind;
  v.where_ = std::move(where);
  return v;
}

ConfigValue ConfigValue::Table(SourcePosition where) {
  return Scalar(Kind::kTable, std::move(where));
}
ConfigValue ConfigValue::Array(SourcePosition where) {
  return Scalar(Kind::kArray, std::move(where));
}
ConfigValue ConfigValue::String(std::string v, SourcePosition where) {
  ConfigValue out = Scalar(Kind::kString, std::move(where));
  out.scalar_ = std::move(v);
  return out;
}
ConfigValue ConfigValue::Integer(int64_t v, SourcePosition where) {
  ConfigValue out = Scalar(Kind::kInteger, std::move(where));
  out.scalar_ = v;
  return out;
}
ConfigValue ConfigValue::Float(double v, SourcePosition where) {
  ConfigValue out = Scalar(Kind::kFloat, std::move(where));
  out.scalar_ = v;
  return out;
}
ConfigValue ConfigValue::Boolean(bool v, SourcePosition where) {
  ConfigValue out = Scalar(Kind::kBoolean, std::move(where));
  out.scalar_ = v;
  return out;
}
ConfigValue ConfigValue::DateTime(std::string text, SourcePosition where) {
  ConfigValue out = Scalar(Kind::kDateTime, std::move(where));
  out.scalar_ = std::move(text);
  return out;
}

std::string ConfigValue::ChildPath(std::string_view key) const {
  return path_.empty() ? KeyInPath(key) : path_ + "." + KeyInPath(key);
}

void ConfigValue::Rebase(std::string path) {
  path_ = std::move(path);
  for (size_t i = 0; i < items_.size(); ++i)
    items_[i].Rebase(path_ + "[" + std::to_string(i) + "]");
  for (auto& [key, child] : entries_) child.Rebase(ChildPath(key));
}

void ConfigValue::Insert(std::string key, ConfigValue child) {
  assert(is_table() && Find(key) == nullptr);
  child.Rebase(ChildPath(key));
  entries_.emplace_back(std::move(key), std::move(child));
}

void ConfigValue::Append(ConfigValue child) {
  assert(kind_ == Kind::kArray);
  child.Rebase(path_ + "[" + std::to_string(items_.size()) + "]");
  items_.push_back(std::move(child));
}

Status ConfigValue::Error(std::string_view message) const {
  std::string out = where_.ToString();
  if (!out.empty()) out += ": ";
  if (!path_.empty()) out += path_ + ": ";
  out += message;
  return InvalidArgument(std::move(out));
}

Status ConfigValue::KindError(std::string_view expected) const {
  return Error("expected " + std::string(expected) + ", got " + std::string(KindName(kind_)));
}

Result<std::string> ConfigValue::AsString() const {
  if (kind_ != Kind::kString) return KindError("a string");
  return std::get<std::string>(scalar_);
}

Result<int64_t> ConfigValue::AsInteger(int64_t min, int64_t max) const {
  if (kind_ != Kind::kInteger) return KindError("an integer");
  int64_t v = std::get<int64_t>(scalar_);
  if (v < min || v > max) {
    return Error(std::to_string(v) + " is not in " + std::to_string(min) + "-" +
                 std::to_string(max));
  }
  return v;
}

Result<double> ConfigValue::AsFloat() const {
  if (kind_ == Kind::kInteger) return static_cast<double>(std::get<int64_t>(scalar_));
  if (kind_ != Kind::kFloat) return KindError("a number");
  return std::get<double>(scalar_);
}

Result<bool> ConfigValue::AsBool() const {
  if (kind_ != Kind::kBoolean) return KindError("true or false");
  return std::get<bool>(scalar_);
}

Result<uint64_t> ConfigValue::AsSize() const {
  if (kind_ == Kind::kInteger) {
    int64_t v = std::get<int64_t>(scalar_);
    if (v < 0) return Error("a size cannot be negative");
    return static_cast<uint64_t>(v);
  }
  if (kind_ != Kind::kString) return KindError("a size such as \"64MiB\"");
  auto size = ParseSize(std::get<std::string>(scalar_));
  if (!size.ok()) return Error(size.status().message());
  return size;
}

Result<std::chrono::milliseconds> ConfigValue::AsDuration() const {
  if (kind_ != Kind::kString) return KindError("a duration such as \"6h\"");
  auto d = ParseDuration(std::get<std::string>(scalar_));
  if (!d.ok()) return Error(d.status().message());
  return d;
}

Result<std::vector<std::string>> ConfigValue::AsStringList() const {
  if (kind_ != Kind::kArray) return KindError("an array of strings");
  std::vector<std::string> out;
  for (const ConfigValue& item : items_) {
    MV_ASSIGN_OR_RETURN(std::string s, item.AsString());
    out.push_back(std::move(s));
  }
  return out;
}

const ConfigValue* ConfigValue::Find(std::string_view key) const {
  for (const auto& [k, v] : entries_) {
    if (k == key) return &v;
  }
  return nullptr;
}

Result<ConfigValue> ConfigValue::Section(std::string_view key) const {
  const ConfigValue* v = Find(key);
  if (v == nullptr) {
    ConfigValue empty = Table(where_);
    empty.Rebase(ChildPath(key));
    return empty;
  }
  if (!v->is_table()) return v->KindError("a table");
  return *v;
}

Result<std::vector<ConfigValue>> ConfigValue::Sections(std::string_view key) const {
  const ConfigValue* v = Find(key);
  if (v == nullptr) return std::vector<ConfigValue>{};
  if (v->kind_ != Kind::kArray)
    return v->KindError("an array of tables ([[" + std::string(key) + "]])");
  for (const ConfigValue& item : v->items_) {
    if (!item.is_table()) return item.KindError("a table");
  }
  return v->items_;
}

Status ConfigValue::CheckKeys(std::span<const std::string_view> known) const {
  for (const auto& [key, value] : entries_) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string message = "unknown key \"" + key + "\"";
    std::string_view best = NearestName(key, known);
    if (!best.empty()) message += " (did you mean \"" + std::string(best) + "\"?)";
    std::vector<std::string_view> sorted(known.begin(), known.end());
    std::sort(sorted.begin(), sorted.end());
    message += path_.empty() ? "; known top-level keys: " : "; known keys in " + path_ + ": ";
    for (size_t i = 0; i < sorted.size(); ++i) {
      if (i > 0) message += ", ";
      message += sorted[i];
    }
    // The position of the offending entry (its key).
    std::string where = value.where_.ToString();
    if (!where.empty()) message.insert(0, where + ": ");
    return InvalidArgument(std::move(message));
  }
  return Status::Ok();
}

}  // namespace mv
