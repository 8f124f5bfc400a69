// The package indexes of a suite: Packages (binary packages) and Sources (source packages), as
// deb822 text (decompressed), and the pool files they name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace mv::apt {

// The most bytes an index may decompress to before it is refused as corrupt or hostile (a
// decompression bomb); Debian's largest indexes decompress to well under this.
inline constexpr size_t kMaxDecompressedIndex = 4ull << 30;

// A file in the archive's pool, by its path from the archive's root ("pool/main/h/hello/...").
struct PoolFile {
  std::string path;
  uint64_t size = 0;
  std::string sha256;  // 64 lower-case hex digits
  bool operator==(const PoolFile&) const = default;
};

struct BinaryPackage {
  std::string package, version, architecture;
  std::string source, source_version;  // from Source: "name" or "name (version)"; else its own
  PoolFile file;                       // Filename, Size, SHA256
};

struct SourcePackage {
  std::string package, version;
  std::vector<PoolFile> files;  // Directory + each Checksums-Sha256 entry (.dsc, tarballs)
};

// Each package of a Packages file (or of an excerpt of one beginning at `first_line`).
// InvalidArgument naming `where` and the paragraph's line when
// one lacks Package, Version, Architecture, Filename, Size or SHA256, or has a malformed one
// (a path leaving the archive, a size that is not a number, a hash that is not 64 hex digits).
Status ForEachBinaryPackage(std::string_view text, std::string_view where,
                            const std::function<Status(const BinaryPackage&)>& visit,
                            size_t first_line = 1);

// The pool file of each package of a Packages file, and the package's name, read with
// ScanParagraphs: Package, Filename, Size and SHA256 are read and checked as ForEachBinaryPackage
// checks them, no other field is. Several times faster than ForEachBinaryPackage, for an index
// whose paragraphs were parsed whole before (every paragraph the same text as one of an index
// already accepted, or parsed on its own: apt/paragraph_diff.h).
Status ForEachBinaryPoolFile(
    std::string_view text, std::string_view where,
    const std::function<Status(std::string_view package, const PoolFile& file)>& visit);

// Each package of a Sources file; the same rules, for Package, Version, Directory and
// Checksums-Sha256 (whose names are plain file names).
Status ForEachSourcePackage(std::string_view text, std::string_view where,
                            const std::function<Status(const SourcePackage&)>& visit,
                            size_t first_line = 1);

}  // namespace mv::apt
