// The derived view of a partial mirror (`mirror --filter-with-deps`): beside the upstream's
// pristine indexes (kept whole, so that their signatures still verify), indexes that list
// exactly what the run holds, signed with the operator's key.
//
// The selection (--packages, --filter) is closed over Depends and Pre-Depends (and Recommends)
// per suite, across its components, as apt/closure.h resolves them. The view of a suite holds:
//   - <component>/binary-<arch>/Packages{,.xz,.gz}: the upstream's stanzas of the packages of the
//     closure, as they were (field order and values kept);
//   - <component>/source/Sources{,.xz,.gz} (when sources are mirrored): the source packages those
//     binaries name (Source:, with its version when given) and those the selection names
//     itself, as they were;
//   - Release: the upstream's Origin, Label, Suite, Codename, Version and Date, no Valid-Until
//     (a view of a past run stays usable), Acquire-By-Hash, the view's architectures and
//     components, the SHA256 list; with by-hash copies of every index;
//   - InRelease and Release.gpg, signed by apt::SignRelease with the operator's key.
// A missing dependency is reported in SuiteView::unsatisfied, not refused (apt/closure.h says
// why). The caller places the files (the run's tree puts a view under view/, beside a copy of
// the pool, so that `deb URL/archive/A/RUN/view SUITE COMPONENT` is a complete repository).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "apt/closure.h"
#include "apt/index_select.h"
#include "apt/index_writer.h"
#include "apt/indexes.h"
#include "apt/release.h"
#include "apt/signature.h"
#include "util/status.h"

namespace mv::importer {

// One decompressed Packages or Sources index of the suite, by its base path ("main/binary-amd64
// /Packages", relative to dists/<suite>/).
struct ViewIndex {
  std::string base;
  apt::IndexKind kind = apt::IndexKind::kPackages;
  std::string architecture;  // "amd64", "all"; "source" for Sources
  std::string component;
  std::string text;
};

struct ViewOptions {
  bool recommends = false;
  apt::SigningKey signing_key;
};

struct SuiteView {
  std::vector<apt::PoolFile> pool;      // every pool file the view's indexes name
  std::vector<apt::WrittenFile> files;  // relative to dists/<suite>/
  std::vector<apt::UnsatisfiedDependency> unsatisfied;
  size_t binary_packages = 0, source_packages = 0;
};

// The view of one suite. `where` names the suite in errors ("debian: suite bookworm").
// InvalidArgument when an index does not parse, a visited relationship field does not parse
// (naming field and package), or gpg cannot sign (naming the key); NotFound when gpg is missing.
Result<SuiteView> BuildSuiteView(const apt::Release& upstream,
                                 const std::vector<ViewIndex>& indexes,
                                 const std::function<bool(std::string_view)>& selected,
                                 const ViewOptions& options, std::string_view where);

}  // namespace mv::importer
