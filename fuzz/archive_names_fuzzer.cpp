// The archive's names as users and listings give them: ARCHIVE@TS run specs, archive names,
// entry names, and the keys of blobs, tree nodes and run records. Properties: nothing crashes; a
// parsed key prints back to the same key; an accepted run spec names a valid archive.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "archive/ids.h"
#include "archive/run_view.h"
#include "archive/tree.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto spec = mv::archive::ParseRunSpec(text);
  if (spec.ok()) {
    MV_FUZZ_CHECK(mv::archive::ValidateArchiveName(spec->archive).ok(), mv::fuzz::Printable(text));
  } else {
    MV_FUZZ_CHECK_ERROR(spec.status(), mv::StatusCode::kInvalidArgument);
  }

  auto blob = mv::archive::ParseBlobKey(text);
  if (blob.ok()) {
    MV_FUZZ_CHECK(mv::archive::BlobKey(*blob) == text, mv::fuzz::Printable(text));
  }
  auto tree = mv::archive::ParseTreeKey(text);
  if (tree.ok()) {
    MV_FUZZ_CHECK(mv::archive::TreeKey(*tree) == text, mv::fuzz::Printable(text));
  }
  auto run = mv::archive::ParseRunKey(text);
  if (run.ok()) {
    MV_FUZZ_CHECK(mv::archive::RunKey(run->archive, run->run_id) == text,
                  mv::fuzz::Printable(text));
  }
  (void)mv::archive::ValidateEntryName(text);
  (void)mv::archive::ValidateSymlinkTarget(text);
  return 0;
}
