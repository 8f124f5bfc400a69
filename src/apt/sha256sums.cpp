#include "apt/sha256sums.h"

#include <set>

#include "apt/release.h"

namespace mv::apt {
namespace {

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

}  // namespace

Result<std::vector<Sha256SumsEntry>> ParseSha256Sums(std::string_view text,
                                                     std::string_view where) {
  std::vector<Sha256SumsEntry> out;
  std::set<std::string> seen;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    line_no += 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    auto bad = [&](const std::string& why) {
      return InvalidArgument(std::string(where) + ": line " + std::to_string(line_no) + ": " + why);
    };
    // "<hash>  <path>" or "<hash> *<path>".
    if (line.size() < 67 || line[64] != ' ' || (line[65] != ' ' && line[65] != '*')) {
      return bad("not \"<SHA-256>  <path>\"");
    }
    std::string_view hash = line.substr(0, 64);
    if (!IsHex64(hash)) return bad("not a SHA-256 (64 hex digits)");
    std::string_view path = line.substr(66);
    while (path.starts_with("./")) path.remove_prefix(2);
    if (!IsSafeRelativePath(path)) return bad("a path that leaves the folder");
    Sha256SumsEntry e{.sha256 = std::string(hash), .path = std::string(path)};
    for (char& c : e.sha256) {
      if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    }
    if (!seen.insert(e.path).second) return bad(e.path + " is listed twice");
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace mv::apt
