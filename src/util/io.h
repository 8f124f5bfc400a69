// Byte streams: the narrow Reader/Writer seam used by stores, hashing and transfers.
// Implementations are not thread-safe; one owner at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace mv {

class Reader {
 public:
  virtual ~Reader() = default;
  // Reads up to `n` bytes into `buf`; returns 0 only at end of stream.
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
  // The total number of bytes this reader yields from its start, when known in advance.
  virtual std::optional<uint64_t> Size() const { return std::nullopt; }
  // Starts again from the first byte. Unavailable-but-not-retryable when the source cannot.
  virtual Status Rewind() { return Status(StatusCode::kUnavailable, "stream cannot be rewound"); }
};

class Writer {
 public:
  virtual ~Writer() = default;
  virtual Status Write(std::string_view data) = 0;
};

// An owned file descriptor (move-only).
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  // Closes and reports the close error (write-back failures surface here).
  Status Close(std::string_view what);

 private:
  int fd_ = -1;
};

// Reads [offset, offset+length) of a file (length = to the end when nullopt). Rewindable.
Result<std::unique_ptr<Reader>> OpenFileReader(const std::string& path, uint64_t offset = 0,
                                               std::optional<uint64_t> length = std::nullopt);

// Reads from memory the caller keeps alive. Rewindable.
std::unique_ptr<Reader> MakeStringReader(std::string_view data);

// Appends to a string the caller owns.
std::unique_ptr<Writer> MakeStringWriter(std::string* out);

// Writes to a file descriptor the caller owns (e.g. stdout); not closed.
std::unique_ptr<Writer> MakeFdWriter(int fd, std::string name);

// A fresh name beside `path` ("<path>.mvtmp-<16 hex>") for writing a file before renaming it
// into place; the prefix marks leftovers as temporary.
std::string TempSiblingPath(const std::string& path);

// Ends the writing of `tmp` (a TempSiblingPath of `path`) through `fd`: when `written` is OK,
// fsync, close and rename it onto `path`; when `written` or any of those fails, `tmp` is removed.
// Returns the first failure.
Status MoveTempFileIntoPlace(UniqueFd& fd, const std::string& tmp, const std::string& path,
                             Status written);

// Writes everything in `data` to `fd`, retrying short writes and EINTR.
Status WriteAll(int fd, std::string_view data, std::string_view what);
// The same at `offset` (pwrite: the file offset is not moved).
Status WriteAllAt(int fd, std::string_view data, uint64_t offset, std::string_view what);
// Reads exactly `n` bytes at `offset` into `out` (pread), retrying short reads and EINTR;
// Corruption naming `what` when the file ends first.
Status ReadExactlyAt(int fd, char* out, size_t n, uint64_t offset, std::string_view what);

// Copies `reader` into `writer` until end of stream.
Result<uint64_t> CopyStream(Reader& reader, Writer& writer);

}  // namespace mv
