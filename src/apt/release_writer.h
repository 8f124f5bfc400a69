// Writing a suite's Release file for indexes mirrorvault wrote (index_writer.h), and the by-hash
// copies apt fetches when the Release says Acquire-By-Hash. Signing is release_signer.h's.
#pragma once

#include <string>
#include <vector>

#include "apt/index_writer.h"
#include "apt/release.h"

namespace mv::apt {

// The Release text: Origin, Label, Suite, Codename, Version, Date, Valid-Until (each only when
// set in `fields`), Acquire-By-Hash, Architectures, Components, then the SHA256
// list of `files` (size and hash of each, computed here), sorted by path. `fields.files` is
// ignored. ParseRelease reads it back.
std::string WriteRelease(const Release& fields, const std::vector<WrittenFile>& files);

// For each file, its by-hash path: "<dir>/by-hash/SHA256/<hex>" beside it.
std::vector<std::string> ByHashPaths(const std::vector<WrittenFile>& files);

}  // namespace mv::apt
