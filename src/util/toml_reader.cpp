#include "util/toml_reader.h"

#include <toml++/toml.h>

#include <algorithm>
#include <sstream>
#include <utility>

#include "util/io.h"

namespace mv {
namespace {

SourcePosition Position(const toml::source_region& region, const std::string& source) {
  return {.file = source,
          .line = static_cast<int>(region.begin.line),
          .column = static_cast<int>(region.begin.column)};
}

bool Before(const SourcePosition& a, const SourcePosition& b) {
  return std::pair(a.line, a.column) < std::pair(b.line, b.column);
}

template <typename T>
std::string Text(const T& value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

// Deeper documents are rejected: configuration is a few levels deep, and both toml++ and
// Convert recurse once per level. toml++ bounds inline arrays and tables (256 levels) but not
// tables nested by dotted keys ("[a.b.c...]"), one level per '.', and overflows its stack at
// some 100,000 levels: the '.' are counted before it parses.
constexpr int kMaxDepth = 64;
constexpr size_t kMaxDots = 10000;

// Converts `node` at nesting level `depth`; `where` is the position to record (the key's, for
// table entries).
Result<ConfigValue> Convert(const toml::node& node, SourcePosition where, const std::string& source,
                            int depth) {
  if (depth > kMaxDepth) {
    return InvalidArgument(where.ToString() + ": nested more than " + std::to_string(kMaxDepth) +
                           " levels deep");
  }
  if (const toml::table* table = node.as_table()) {
    ConfigValue out = ConfigValue::Table(std::move(where));
    // toml++ keeps tables sorted by key; restore the order of the file.
    std::vector<std::pair<std::string, ConfigValue>> entries;
    for (const auto& [key, child] : *table) {
      SourcePosition at =
          key.source().begin ? Position(key.source(), source) : Position(child.source(), source);
      MV_ASSIGN_OR_RETURN(ConfigValue value, Convert(child, std::move(at), source, depth + 1));
      entries.emplace_back(std::string(key.str()), std::move(value));
    }
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      return Before(a.second.where(), b.second.where());
    });
    for (auto& [key, child] : entries) out.Insert(std::move(key), std::move(child));
    return out;
  }
  if (const toml::array* array = node.as_array()) {
    ConfigValue out = ConfigValue::Array(std::move(where));
    for (const toml::node& item : *array) {
      MV_ASSIGN_OR_RETURN(ConfigValue value,
                          Convert(item, Position(item.source(), source), source, depth + 1));
      out.Append(std::move(value));
    }
    return out;
  }
  if (auto v = node.as_string()) return ConfigValue::String(v->get(), std::move(where));
  if (auto v = node.as_integer()) return ConfigValue::Integer(v->get(), std::move(where));
  if (auto v = node.as_floating_point()) return ConfigValue::Float(v->get(), std::move(where));
  if (auto v = node.as_boolean()) return ConfigValue::Boolean(v->get(), std::move(where));
  if (auto v = node.as_date()) return ConfigValue::DateTime(Text(v->get()), std::move(where));
  if (auto v = node.as_time()) return ConfigValue::DateTime(Text(v->get()), std::move(where));
  if (auto v = node.as_date_time()) return ConfigValue::DateTime(Text(v->get()), std::move(where));
  return ConfigValue::String("", std::move(where));  // no other TOML types exist
}

}  // namespace

Result<ConfigValue> ParseToml(std::string_view text, const std::string& source) {
  if (std::count(text.begin(), text.end(), '.') > static_cast<std::ptrdiff_t>(kMaxDots)) {
    return InvalidArgument(source + ": more than " + std::to_string(kMaxDots) +
                           " '.' characters: keys nested that deep are not supported");
  }
  toml::table table;
  try {
    table = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    SourcePosition at = Position(e.source(), source);
    return InvalidArgument(at.ToString() + ": " + std::string(e.description()));
  }
  return Convert(table, SourcePosition{.file = source}, source, 0);
}

Result<ConfigValue> ReadTomlFile(const std::string& path) {
  MV_ASSIGN_OR_RETURN(auto reader, OpenFileReader(path));
  std::string text;
  auto writer = MakeStringWriter(&text);
  MV_ASSIGN_OR_RETURN(uint64_t size, CopyStream(*reader, *writer));
  (void)size;
  return ParseToml(text, path);
}

}  // namespace mv
