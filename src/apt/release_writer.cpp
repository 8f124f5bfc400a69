#include "apt/release_writer.h"

#include <algorithm>

#include "util/hash.h"
#include "util/strings.h"

namespace mv::apt {
namespace {

std::string Dir(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

}  // namespace

std::string WriteRelease(const Release& fields, const std::vector<WrittenFile>& files) {
  std::string out;
  auto field = [&](std::string_view name, const std::string& value) {
    if (value.empty()) return;
    out += name;
    out += ": ";
    out += value;
    out += '\n';
  };
  field("Origin", fields.origin);
  field("Label", fields.label);
  field("Suite", fields.suite);
  field("Codename", fields.codename);
  field("Version", fields.version);
  field("Date", fields.date);
  field("Valid-Until", fields.valid_until);
  if (fields.acquire_by_hash) field("Acquire-By-Hash", "yes");
  field("Architectures", Join(fields.architectures, " "));
  field("Components", Join(fields.components, " "));
  std::vector<const WrittenFile*> sorted;
  for (const WrittenFile& f : files) sorted.push_back(&f);
  std::sort(sorted.begin(), sorted.end(),
            [](const WrittenFile* a, const WrittenFile* b) { return a->path < b->path; });
  out += "SHA256:\n";
  for (const WrittenFile* f : sorted) {
    std::string size = std::to_string(f->bytes.size());
    out += ' ' + Sha256Hex(f->bytes) + ' ' +
           std::string(size.size() < 16 ? 16 - size.size() : 0, ' ') + size + ' ' + f->path + '\n';
  }
  return out;
}

std::vector<std::string> ByHashPaths(const std::vector<WrittenFile>& files) {
  std::vector<std::string> out;
  out.reserve(files.size());
  for (const WrittenFile& f : files) {
    out.push_back(Dir(f.path) + "by-hash/SHA256/" + Sha256Hex(f.bytes));
  }
  return out;
}

}  // namespace mv::apt
