#include "retention/candidate_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "util/encoding.h"
#include "util/io.h"

namespace mv::retention {

std::string CandidateFile::DefaultDir() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/var/tmp";
}

Result<std::unique_ptr<CandidateFile>> CandidateFile::Create(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (!fd.valid() && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
    std::string path = dir + "/mirrorvault-gc.XXXXXX";
    fd = UniqueFd(::mkostemp(path.data(), O_CLOEXEC));
    if (fd.valid()) ::unlink(path.c_str());
  }
  if (!fd.valid()) {
    return ErrnoStatus(errno, "gc: creating its candidate file in " + dir +
                                  " (set TMPDIR to a folder with room for 41 bytes a candidate)");
  }
  return std::unique_ptr<CandidateFile>(
      new CandidateFile(std::move(fd), "its candidate file in " + dir));
}

Status CandidateFile::WriteSection(size_t section, std::span<const Candidate> candidates) {
  uint64_t offset = 0;
  {
    util::MutexLock lock(mu_);
    if (sections_.size() <= section) sections_.resize(section + 1);
    Section& s = sections_[section];
    if (s.written) return Status(StatusCode::kInternal, "gc: a candidate section written twice");
    offset = end_;
    end_ += candidates.size() * kRecordBytes;
    s = {.offset = offset, .count = candidates.size(), .written = true};
  }
  constexpr size_t kBlock = 4096;  // records a write
  std::string buffer;
  for (size_t at = 0; at < candidates.size(); at += kBlock) {
    const size_t n = std::min(kBlock, candidates.size() - at);
    buffer.resize(n * kRecordBytes);
    for (size_t i = 0; i < n; ++i) {
      char* r = buffer.data() + i * kRecordBytes;
      std::memcpy(r, candidates[at + i].id.data(), 32);
      PutLe64(r + 32, candidates[at + i].size);
      r[40] = candidates[at + i].tree ? 1 : 0;
    }
    MV_RETURN_IF_ERROR(WriteAllAt(fd_.get(), buffer, offset + at * kRecordBytes, "gc: " + where_));
  }
  return Status::Ok();
}

Status CandidateFile::ReadAt(uint64_t offset, size_t n, std::string& buffer,
                             std::vector<Candidate>& out) const {
  buffer.resize(n * kRecordBytes);
  MV_RETURN_IF_ERROR(
      ReadExactlyAt(fd_.get(), buffer.data(), buffer.size(), offset, "gc: " + where_));
  out.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const char* r = buffer.data() + i * kRecordBytes;
    std::memcpy(out[i].id.data(), r, 32);
    out[i].size = GetLe64(r + 32);
    out[i].tree = r[40] != 0;
  }
  return Status::Ok();
}

Status CandidateFile::ForEachChunk(
    size_t chunk_size, const std::function<Status(std::span<const Candidate>)>& chunk) const {
  std::vector<Section> sections;
  {
    util::MutexLock lock(mu_);
    sections = sections_;
  }
  chunk_size = std::max<size_t>(chunk_size, 1);
  std::vector<Candidate> out;
  std::string buffer;
  for (const Section& s : sections) {
    for (uint64_t at = 0; at < s.count; at += chunk_size) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(chunk_size, s.count - at));
      MV_RETURN_IF_ERROR(ReadAt(s.offset + at * kRecordBytes, n, buffer, out));
      MV_RETURN_IF_ERROR(chunk(out));
    }
  }
  return Status::Ok();
}

Status CandidateFile::ReadRecords(uint64_t first, size_t n, std::vector<Candidate>& out) const {
  const uint64_t total = count();
  if (first >= total) {
    out.clear();
    return Status::Ok();
  }
  std::string buffer;
  return ReadAt(first * kRecordBytes, static_cast<size_t>(std::min<uint64_t>(n, total - first)),
                buffer, out);
}

uint64_t CandidateFile::count() const {
  util::MutexLock lock(mu_);
  return end_ / kRecordBytes;
}

}  // namespace mv::retention
