// CandidateFile: gc's candidates (stored objects that no kept run names) kept on an unlinked
// temporary file rather than in memory, so that gc's memory grows with the live objects (the mark
// set) and not with the garbage. Fixed 41-byte records (the 32-byte id, the size as 8 bytes
// little-endian, 1 for a tree node or 0 for a blob) in sections, one a listing prefix; read back
// section by section in chunks (in order), or by record number (for deleting in parallel).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "archive/ids.h"
#include "util/io.h"
#include "util/mutex.h"
#include "util/status.h"

namespace mv::retention {

struct Candidate {
  archive::Sha256 id;
  uint64_t size = 0;
  bool tree = false;  // a tree node (trees/), else a blob (blobs/)
};

class CandidateFile {
 public:
  // An unlinked file in `dir` (O_TMPFILE where the filesystem has it, else created and unlinked
  // at once): nothing is left behind however the process ends.
  static Result<std::unique_ptr<CandidateFile>> Create(const std::string& dir);
  // The folder gc spills to: $TMPDIR, else /var/tmp (a disk, where /tmp may be memory).
  static std::string DefaultDir();

  // Writes section `section` (each written once). Safe from many threads at once.
  Status WriteSection(size_t section, std::span<const Candidate> candidates);
  // Calls `chunk` with the candidates of every section in section order, at most `chunk_size`
  // at a time, in each section's written order.
  Status ForEachChunk(size_t chunk_size,
                      const std::function<Status(std::span<const Candidate>)>& chunk) const;
  // Records [first, first + n) in the file's own order (sections as they were written), into
  // `out`; fewer at the end of the file.
  Status ReadRecords(uint64_t first, size_t n, std::vector<Candidate>& out) const;
  uint64_t count() const;

  static constexpr size_t kRecordBytes = 41;

 private:
  CandidateFile(UniqueFd fd, std::string where) : fd_(std::move(fd)), where_(std::move(where)) {}
  Status ReadAt(uint64_t offset, size_t n, std::string& buffer, std::vector<Candidate>& out) const;
  struct Section {
    uint64_t offset = 0, count = 0;
    bool written = false;
  };

  UniqueFd fd_;
  std::string where_;
  mutable util::Mutex mu_;
  uint64_t end_ GUARDED_BY(mu_) = 0;
  std::vector<Section> sections_ GUARDED_BY(mu_);
};

}  // namespace mv::retention
