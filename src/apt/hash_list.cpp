#include "apt/hash_list.h"

#include <charconv>

namespace mv::apt {

std::optional<std::string> ParseSha256Hex(std::string_view text) {
  if (text.size() != 64) return std::nullopt;
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  return out;
}

std::optional<uint64_t> ParseSize(std::string_view text) {
  uint64_t size = 0;
  if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), size);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return size;
}

Result<std::vector<HashListEntry>> ParseHashList(const Field& field, std::string_view where) {
  std::vector<HashListEntry> out;
  std::string_view value = field.value;
  size_t line = field.value_line;
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t nl = value.find('\n', pos);
    std::vector<std::string_view> words =
        Words(value.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    if (!words.empty()) {
      auto bad = [&](const std::string& what) {
        return InvalidArgument(std::string(where) + " line " + std::to_string(line) + ": " +
                               field.name + " entry " + what);
      };
      if (words.size() != 3) return bad("is not \"hash size name\"");
      std::optional<std::string> sha256 = ParseSha256Hex(words[0]);
      if (!sha256) return bad("has a hash that is not 64 hex digits");
      std::optional<uint64_t> size = ParseSize(words[1]);
      if (!size) return bad("has a size that is not a number: " + std::string(words[1]));
      out.push_back({std::move(*sha256), *size, std::string(words[2]), line});
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
    ++line;
  }
  return out;
}

}  // namespace mv::apt
