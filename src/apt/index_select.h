// Which of a suite's index files a mirror takes: those of the chosen components and
// architectures (Packages, Sources, Contents, i18n), every compressed variant the Release lists,
// and the per-directory Release files beside them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "apt/release.h"
#include "util/status.h"

namespace mv::apt {

enum class IndexKind { kPackages, kSources, kContents, kTranslation, kOther };

struct IndexSelection {
  std::vector<std::string> components;     // empty: every component the Release names
  std::vector<std::string> architectures;  // "amd64", "all", ...; empty: the Release's
  bool sources = false;                    // Sources (and Contents-source)
};

struct SelectedIndex {
  std::string path;  // relative to dists/<suite>/, as the Release names it
  ReleaseEntry entry;
  IndexKind kind = IndexKind::kOther;
  std::string component;     // empty for a suite-wide file (Contents-amd64.gz at the top)
  std::string architecture;  // "amd64", "all", "source"; empty for i18n
  // The path without its compression extension: variants of one index share it.
  std::string base;
};

// The Release's files that the selection takes, in the Release's (path) order. InvalidArgument
// naming `where` when a requested component or architecture is not in the Release (the ones it
// has are listed), or when nothing at all is selected.
Result<std::vector<SelectedIndex>> SelectIndexes(const Release& release,
                                                 const IndexSelection& selection,
                                                 std::string_view where);

// Of the variants of one index (same base) that were fetched, the one to parse: the plain file
// when present (nothing to decompress), else xz, gzip, bzip2. Null when none is readable.
const SelectedIndex* PreferredVariant(const std::vector<const SelectedIndex*>& variants);

}  // namespace mv::apt
