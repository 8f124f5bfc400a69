// Which of a suite's index files a mirror takes: everything the Release lists for the chosen
// components and architectures (Packages, Sources, Contents and Contents-udeb, i18n/, dep11/,
// cnf/Commands-*, debian-installer/binary-*/), every compressed variant the Release lists, and
// the per-directory Release files beside them; parts can be left out on purpose (IndexPart).
// A flat repository (apt's `deb URI dir/`) lists its indexes at the top, without components.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "apt/release.h"
#include "util/status.h"

namespace mv::apt {

enum class IndexKind {
  kPackages,
  kSources,
  kContents,
  kTranslation,
  kDep11,              // AppStream: dep11/Components-<arch>.yml, icons-*.tar, ...
  kCommands,           // command-not-found: cnf/Commands-<arch>
  kInstallerPackages,  // debian-installer/binary-<arch>/Packages: names udebs
  kInstallerImages,    // installer-<arch>/<version>/images/SHA256SUMS: names the images
  kOther
};

// Parts of a complete apt view that a mirror may leave out on purpose (`--without`).
enum class IndexPart { kDep11, kCnf, kInstaller, kI18n, kUdeb, kContents };

// The words of `--without` / `without = [...]`, as written there.
inline constexpr std::string_view kIndexPartWords[] = {"dep11", "cnf",  "installer",
                                                       "i18n",  "udeb", "contents"};
std::string_view IndexPartWord(IndexPart part);

// The parts named by `words` ("dep11", "cnf", "installer", "i18n", "udeb", "contents"), each
// once, in the order above. InvalidArgument naming `where`, the unknown word and the valid ones.
Result<std::vector<IndexPart>> ParseIndexParts(const std::vector<std::string>& words,
                                               std::string_view where);

struct IndexSelection {
  std::vector<std::string> components;     // empty: every component the Release names
  std::vector<std::string> architectures;  // "amd64", "all", ...; empty: the Release's
  bool sources = false;                    // Sources (and Contents-source)
  // Left out: installer = debian-installer indexes and their udebs; udeb = the udebs and
  // Contents-udeb-* (the installer indexes stay); contents = every Contents-*.
  std::vector<IndexPart> without;
  // A flat repository: the Release's Packages/Sources (and their Release) at the top; components
  // must not be asked for, and architectures do not apply (one Packages for all).
  bool flat = false;
  // installer-<arch>/<version>/images/ (SHA256SUMS and the other sums files the Release lists):
  // opt-in, they are large. Left out with IndexPart::kInstaller too.
  bool installer_images = false;
};

bool Without(const IndexSelection& selection, IndexPart part);

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
