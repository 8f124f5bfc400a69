// ConfigValue: a parsed configuration document (TOML; see util/toml_reader.h) as a tree whose
// every node knows its dotted path ("archive[1].every") and where in which file it was written,
// so that each part reads its own section and reports mistakes as "file:line:column: path: ...".
//
// This header does not include toml++ (heavy to compile). Values; thread-safe to read.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "util/status.h"

namespace mv {

struct SourcePosition {
  std::string file{};
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
  // "file:line:column", or as much of it as is known ("" when nothing is).
  std::string ToString() const;
};

class ConfigValue {
 public:
  enum class Kind { kTable, kArray, kString, kInteger, kFloat, kBoolean, kDateTime };
  static std::string_view KindName(Kind kind);  // "a table", "an integer", ...

  // An empty table: a document with nothing in it.
  ConfigValue() = default;

  // Builders, used by the TOML reader and by tests.
  static ConfigValue Table(SourcePosition where = {});
  static ConfigValue Array(SourcePosition where = {});
  static ConfigValue String(std::string v, SourcePosition where = {});
  static ConfigValue Integer(int64_t v, SourcePosition where = {});
  static ConfigValue Float(double v, SourcePosition where = {});
  static ConfigValue Boolean(bool v, SourcePosition where = {});
  static ConfigValue DateTime(std::string text, SourcePosition where = {});  // as written
  // Adds to a table (REQUIRES: kTable; key not present) or an array (REQUIRES: kArray); sets the
  // child's path from this node's.
  void Insert(std::string key, ConfigValue child);
  void Append(ConfigValue child);

  Kind kind() const { return kind_; }
  bool is_table() const { return kind_ == Kind::kTable; }
  const std::string& path() const { return path_; }  // "" for the document itself
  const SourcePosition& where() const { return where_; }

  // Scalar conversions. InvalidArgument "where: path: expected X, got Y" on a kind mismatch.
  Result<std::string> AsString() const;
  Result<int64_t> AsInteger(int64_t min = std::numeric_limits<int64_t>::min(),
                            int64_t max = std::numeric_limits<int64_t>::max()) const;
  Result<double> AsFloat() const;  // an integer converts
  Result<bool> AsBool() const;
  // A size string ("64MiB", util/units.h) or a non-negative integer count of bytes.
  Result<uint64_t> AsSize() const;
  // A duration string ("6h", util/units.h).
  Result<std::chrono::milliseconds> AsDuration() const;
  // An array of strings.
  Result<std::vector<std::string>> AsStringList() const;

  // Arrays: the elements. Tables: the entries in the order they were written.
  const std::vector<ConfigValue>& items() const { return items_; }
  const std::vector<std::pair<std::string, ConfigValue>>& entries() const { return entries_; }

  // Tables: the entry named `key`, or null (also when this is not a table).
  const ConfigValue* Find(std::string_view key) const;
  // Tables: the entry as a table, or an empty table when absent; InvalidArgument when `key`
  // holds something else.
  Result<ConfigValue> Section(std::string_view key) const;
  // Tables: the entry as an array of tables ([[archive]]); empty when absent.
  Result<std::vector<ConfigValue>> Sections(std::string_view key) const;

  // Tables: InvalidArgument naming the first key not in `known`, where it is, a near known key
  // ("did you mean ...?") and the known keys.
  Status CheckKeys(std::span<const std::string_view> known) const;
  Status CheckKeys(std::initializer_list<std::string_view> known) const {
    return CheckKeys(std::span<const std::string_view>(known.begin(), known.size()));
  }

  // Prefixes "where: path: " to a message about this node.
  Status Error(std::string_view message) const;

 private:
  static ConfigValue Scalar(Kind kind, SourcePosition where);
  Status KindError(std::string_view expected) const;
  std::string ChildPath(std::string_view key) const;
  void Rebase(std::string path);  // sets the path of this node and its descendants

  Kind kind_ = Kind::kTable;
  std::string path_;
  SourcePosition where_;
  std::variant<std::monostate, std::string, int64_t, double, bool> scalar_;
  std::vector<ConfigValue> items_;
  std::vector<std::pair<std::string, ConfigValue>> entries_;
};

}  // namespace mv
