// UnpackListedFiles (the local import's stat cache by folder, importer/folder_stats.h) over
// arbitrary bytes. Properties: it never crashes and refuses with Corruption naming the folder
// and a byte offset; the files it accepts, packed again, unpack to the same files.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "importer/folder_stats.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto files = mv::importer::UnpackListedFiles(bytes, "fuzz-folder");
  if (!files.ok()) {
    MV_FUZZ_CHECK_ERROR(files.status(), mv::StatusCode::kCorruption);
    MV_FUZZ_CHECK(files.status().message().find("fuzz-folder") != std::string::npos &&
                      files.status().message().find("at byte ") != std::string::npos,
                  files.status().message());
    return 0;
  }
  mv::importer::WalkedFolder folder;
  for (const auto& [name, stat] : *files) folder.files.push_back({name, stat});
  std::sort(folder.files.begin(), folder.files.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  bool racy = false;
  const std::string packed =
      mv::importer::PackFolderListing(folder, std::numeric_limits<int64_t>::max(), &racy);
  auto again = mv::importer::UnpackListedFiles(packed, "repacked");
  // (A file timed at the end of time packs as racy, and is then left out: nothing to compare.)
  if (!racy) MV_FUZZ_CHECK(again.ok() && *again == *files, "the repacked listing differs");
  return 0;
}
