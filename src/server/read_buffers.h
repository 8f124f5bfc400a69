// Buffers for store reads, kept for reuse. Streaming a 100 MiB file from S3 reads it in pieces of
// 1 to 8 MiB; a fresh buffer from malloc for each piece came as new pages from the kernel, and
// their page faults and zeroing were 18% of serve's CPU (perf, bench/serve-s3). Buffers come in
// powers of two (at most twice the size asked for). One given back is kept for the next read of
// its size class while the buffers in use and kept stay within `keep_bytes` (beyond that the
// oldest kept ones are freed; buffers in use are never held back), and for
// at most `idle_for`: a thread frees what has not been asked for since, so a server that was busy
// gives its memory back when it is quiet. The limit is best the transport's read budget: reads
// then reuse what the busiest moment made (a limit of 64 MiB under 16 streams of 100 MiB still
// missed half the time, each miss a fresh buffer).
// Pooled buffers are mapped pages of their own, unmapped when freed. Every `idle_for` the trimmer
// also has malloc give free heap pages back (malloc_trim).
// Bytes that are to be kept long (a whole object for the blob cache) take an Unpooled buffer of
// their exact size instead.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <thread>

namespace mv::server {

struct ReadBuffer {
  char* data = nullptr;
  size_t size = 0;  // as asked; the bytes are not initialised
};

class ReadBuffers {
 public:
  ReadBuffers(size_t keep_bytes, std::chrono::milliseconds idle_for);
  ~ReadBuffers();
  ReadBuffers(const ReadBuffers&) = delete;
  ReadBuffers& operator=(const ReadBuffers&) = delete;

  // A buffer of `size` bytes, given back here when the last owner lets it go (it may outlive
  // this object: it is then freed).
  std::shared_ptr<ReadBuffer> Take(size_t size);

  // A buffer of exactly `size` bytes from malloc, freed with its last owner.
  static std::shared_ptr<ReadBuffer> Unpooled(size_t size);

  // Bytes kept for reuse now (for tests).
  size_t kept_bytes() const;

 private:
  struct Shelf;
  std::shared_ptr<Shelf> shelf_;
  std::jthread trimmer_;
};

}  // namespace mv::server
