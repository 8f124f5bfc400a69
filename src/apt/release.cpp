#include "apt/release.h"

#include <strings.h>

#include <algorithm>
#include <ctime>

#include "apt/deb822.h"
#include "apt/hash_list.h"

namespace mv::apt {
namespace {

std::vector<std::string> Strings(const std::vector<std::string_view>& words) {
  return {words.begin(), words.end()};
}

}  // namespace

bool IsSafeRelativePath(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  if (path.find_first_of(std::string_view("\0\n\r", 3)) != std::string_view::npos) return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view seg = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

Result<Release> ParseRelease(std::string_view text, std::string_view where) {
  MV_ASSIGN_OR_RETURN(std::vector<Paragraph> paragraphs, ParseParagraphs(text, where));
  if (paragraphs.size() != 1) {
    return InvalidArgument(std::string(where) + ": a Release file is one paragraph; this has " +
                           std::to_string(paragraphs.size()));
  }
  const Paragraph& p = paragraphs.front();
  Release r;
  auto text_of = [&](std::string_view name) { return std::string(p.Get(name).value_or("")); };
  r.origin = text_of("Origin");
  r.label = text_of("Label");
  r.suite = text_of("Suite");
  r.codename = text_of("Codename");
  r.version = text_of("Version");
  r.date = text_of("Date");
  r.valid_until = text_of("Valid-Until");
  r.architectures = Strings(Words(p.Get("Architectures").value_or("")));
  r.components = Strings(Words(p.Get("Components").value_or("")));
  std::string_view by_hash = p.Get("Acquire-By-Hash").value_or("no");
  r.acquire_by_hash = by_hash.size() == 3 && ::strncasecmp(by_hash.data(), "yes", 3) == 0;

  const Field* list = p.Find("SHA256");
  if (list == nullptr) {
    return InvalidArgument(std::string(where) +
                           ": no SHA256 list (MD5Sum and SHA1 alone are not trusted)");
  }
  MV_ASSIGN_OR_RETURN(std::vector<HashListEntry> entries, ParseHashList(*list, where));
  for (HashListEntry& e : entries) {
    auto bad = [&](const std::string& what) {
      return InvalidArgument(std::string(where) + " line " + std::to_string(e.line) +
                             ": SHA256 entry " + what);
    };
    if (!IsSafeRelativePath(e.name)) return bad("names a path outside the suite: " + e.name);
    auto [it, inserted] = r.files.emplace(e.name, ReleaseEntry{e.size, e.sha256});
    if (!inserted && (it->second.size != e.size || it->second.sha256 != e.sha256)) {
      return bad("lists " + e.name + " twice, differently");
    }
  }
  return r;
}

Result<std::chrono::system_clock::time_point> ParseReleaseDate(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument("\"" + std::string(text.substr(0, 80)) +
                           "\" is not a Release date such as \"Sat, 10 Jun 2023 08:52:27 UTC\"");
  };
  std::string copy(text);
  std::tm tm{};
  const char* end = ::strptime(copy.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
  if (end == nullptr) return bad();
  std::string_view zone(end);
  while (!zone.empty() && zone.front() == ' ') zone.remove_prefix(1);
  while (!zone.empty() && zone.back() == ' ') zone.remove_suffix(1);
  long offset_s = 0;
  if (zone == "UTC" || zone == "GMT" || zone == "Z" || zone.empty()) {
    offset_s = 0;
  } else if (zone.size() == 5 && (zone[0] == '+' || zone[0] == '-') &&
             std::all_of(zone.begin() + 1, zone.end(),
                         [](char c) { return c >= '0' && c <= '9'; })) {
    const long hh = (zone[1] - '0') * 10 + (zone[2] - '0');
    const long mm = (zone[3] - '0') * 10 + (zone[4] - '0');
    if (hh > 23 || mm > 59) return bad();
    offset_s = (hh * 3600 + mm * 60) * (zone[0] == '-' ? -1 : 1);
  } else {
    return bad();
  }
  const time_t t = ::timegm(&tm);
  if (t == static_cast<time_t>(-1)) return bad();
  return std::chrono::system_clock::from_time_t(t - offset_s);
}

}  // namespace mv::apt
