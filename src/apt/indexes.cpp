#include "apt/indexes.h"

#include "apt/deb822.h"
#include "apt/hash_list.h"
#include "apt/release.h"

namespace mv::apt {
namespace {

Status BadFieldAt(std::string_view where, size_t line, std::string_view field,
                  const std::string& what) {
  return InvalidArgument(std::string(where) + ": the paragraph at line " + std::to_string(line) +
                         ": " + std::string(field) + " " + what);
}

Status BadField(std::string_view where, const Paragraph& p, std::string_view field,
                const std::string& what) {
  return BadFieldAt(where, p.line(), field, what);
}

// A binary package's pool file from its Filename, Size and SHA256, checked.
Result<PoolFile> BinaryPoolFile(std::string_view where, size_t line, std::string_view filename,
                                std::string_view size, std::string_view sha256) {
  if (!IsSafeRelativePath(filename)) {
    return BadFieldAt(where, line, "Filename", "leaves the archive: " + std::string(filename));
  }
  std::optional<uint64_t> bytes = ParseSize(size);
  if (!bytes) return BadFieldAt(where, line, "Size", "is not a number: " + std::string(size));
  std::optional<std::string> hash = ParseSha256Hex(sha256);
  if (!hash) return BadFieldAt(where, line, "SHA256", "is not 64 hex digits");
  return PoolFile{std::string(filename), *bytes, std::move(*hash)};
}

// "name" or "name (version)".
Status SplitSource(std::string_view value, std::string_view where, const Paragraph& p,
                   std::string* name, std::string* version) {
  std::vector<std::string_view> words = Words(value);
  if (words.size() == 1) {
    *name = words[0];
    return Status::Ok();
  }
  if (words.size() == 2 && words[1].size() > 2 && words[1].front() == '(' &&
      words[1].back() == ')') {
    *name = words[0];
    *version = words[1].substr(1, words[1].size() - 2);
    return Status::Ok();
  }
  return BadField(where, p, "Source",
                  "is not \"name\" or \"name (version)\": " + std::string(value));
}

}  // namespace

Status ForEachBinaryPackage(std::string_view text, std::string_view where,
                            const std::function<Status(const BinaryPackage&)>& visit,
                            size_t first_line) {
  return ForEachParagraph(
      text, where,
      [&](const Paragraph& p) -> Status {
        BinaryPackage b;
        MV_ASSIGN_OR_RETURN(std::string_view package, p.Require("Package", where));
        MV_ASSIGN_OR_RETURN(std::string_view version, p.Require("Version", where));
        MV_ASSIGN_OR_RETURN(std::string_view arch, p.Require("Architecture", where));
        MV_ASSIGN_OR_RETURN(std::string_view filename, p.Require("Filename", where));
        MV_ASSIGN_OR_RETURN(std::string_view size, p.Require("Size", where));
        MV_ASSIGN_OR_RETURN(std::string_view sha256, p.Require("SHA256", where));
        b.package = package;
        b.version = version;
        b.architecture = arch;
        b.source = package;
        b.source_version = version;
        if (std::optional<std::string_view> source = p.Get("Source")) {
          MV_RETURN_IF_ERROR(SplitSource(*source, where, p, &b.source, &b.source_version));
        }
        MV_ASSIGN_OR_RETURN(b.file, BinaryPoolFile(where, p.line(), filename, size, sha256));
        return visit(b);
      },
      first_line);
}

Status ForEachBinaryPoolFile(
    std::string_view text, std::string_view where,
    const std::function<Status(std::string_view package, const PoolFile& file)>& visit) {
  static constexpr std::string_view kNames[] = {"Package", "Filename", "Size", "SHA256"};
  return ScanParagraphs(text, where, kNames, [&](const ScannedParagraph& p) -> Status {
    for (size_t k = 0; k < std::size(kNames); ++k) {
      if (p.values[k].empty()) {
        return InvalidArgument(std::string(where) + ": the paragraph at line " +
                               std::to_string(p.line) + " has no (or an empty) " +
                               std::string(kNames[k]) + " field");
      }
    }
    MV_ASSIGN_OR_RETURN(PoolFile file,
                        BinaryPoolFile(where, p.line, p.values[1], p.values[2], p.values[3]));
    return visit(p.values[0], file);
  });
}

Status ForEachSourcePackage(std::string_view text, std::string_view where,
                            const std::function<Status(const SourcePackage&)>& visit,
                            size_t first_line) {
  return ForEachParagraph(
      text, where,
      [&](const Paragraph& p) -> Status {
        SourcePackage s;
        MV_ASSIGN_OR_RETURN(std::string_view package, p.Require("Package", where));
        MV_ASSIGN_OR_RETURN(std::string_view version, p.Require("Version", where));
        MV_ASSIGN_OR_RETURN(std::string_view directory, p.Require("Directory", where));
        MV_RETURN_IF_ERROR(p.Require("Checksums-Sha256", where).status());
        if (!IsSafeRelativePath(directory)) {
          return BadField(where, p, "Directory", "leaves the archive: " + std::string(directory));
        }
        s.package = package;
        s.version = version;
        MV_ASSIGN_OR_RETURN(std::vector<HashListEntry> entries,
                            ParseHashList(*p.Find("Checksums-Sha256"), where));
        for (HashListEntry& e : entries) {
          if (e.name.find('/') != std::string::npos || !IsSafeRelativePath(e.name)) {
            return BadField(where, p, "Checksums-Sha256",
                            "names a file outside its folder: " + e.name);
          }
          s.files.push_back({std::string(directory) + "/" + e.name, e.size, std::move(e.sha256)});
        }
        return visit(s);
      },
      first_line);
}

}  // namespace mv::apt
