#include "server/read_buffers.h"

#include <malloc.h>
#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <condition_variable>
#include <deque>
#include <utility>

#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace mv::server {

namespace {

// Pooled buffers are pages of their own (mmap), not malloc's: glibc raises its mmap threshold
// after a large free, so freed buffers of up to 32 MiB would stay in its arenas, and a server
// that once streamed many large files kept hundreds of MiB it no longer used.
struct Unmap {
  size_t size;
  void operator()(char* data) const { ::munmap(data, size); }
};
using Pages = std::unique_ptr<char, Unmap>;

Pages MapPages(size_t size) {
  void* data = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data == MAP_FAILED) throw std::bad_alloc();
  return Pages(static_cast<char*>(data), Unmap{size});
}

}  // namespace

struct ReadBuffers::Shelf {
  using Clock = std::chrono::steady_clock;
  struct Kept {
    size_t size;
    Pages data;
    Clock::time_point since;
  };

  Shelf(size_t keep, std::chrono::milliseconds idle) : keep_bytes(keep), idle_for(idle) {}

  // A kept buffer of exactly `size` bytes (a size class), or null. The newest first: the oldest
  // are the ones to let go. Either way `size` bytes are in use from now on.
  Pages Find(size_t size) EXCLUDES(mu) {
    util::MutexLock lock(mu);
    in_use += size;
    for (auto it = kept.rbegin(); it != kept.rend(); ++it) {
      if (it->size != size) continue;
      Pages found = std::move(it->data);
      kept_bytes -= size;
      kept.erase(std::next(it).base());
      return found;
    }
    return nullptr;
  }

  // Keeps `data` (newest last), freeing the oldest while buffers in use and kept together are
  // beyond the limit (outside the lock).
  void Give(size_t size, Pages data) EXCLUDES(mu) {
    std::deque<Kept> freed;
    {
      util::MutexLock lock(mu);
      in_use -= size;
      if (size > keep_bytes || stopping) return;
      kept.push_back({size, std::move(data), Clock::now()});
      kept_bytes += size;
      while (!kept.empty() && kept_bytes + in_use > keep_bytes) {
        kept_bytes -= kept.front().size;
        freed.push_back(std::move(kept.front()));
        kept.pop_front();
      }
    }
  }

  // Until stopped: every `idle_for`, frees what has been kept that long, and has malloc give the
  // process's free heap pages back to the kernel (glibc keeps them in its arenas otherwise: under
  // a long soak RSS grew by a tenth while the bytes in use did not).
  void TrimUntilStopped() EXCLUDES(mu) {
    for (;;) {
      std::deque<Kept> freed;
      {
        util::MutexLock lock(mu);
        if (stopping) return;
        wake.wait_for(lock.native(), idle_for);
        if (stopping) return;
        const Clock::time_point cutoff = Clock::now() - idle_for;
        while (!kept.empty() && kept.front().since <= cutoff) {
          kept_bytes -= kept.front().size;
          freed.push_back(std::move(kept.front()));
          kept.pop_front();
        }
      }
      freed.clear();
      ::malloc_trim(0);
    }
  }

  void Stop() EXCLUDES(mu) {
    std::deque<Kept> freed;
    {
      util::MutexLock lock(mu);
      stopping = true;
      freed.swap(kept);
      kept_bytes = 0;
    }
    wake.notify_all();
  }

  const size_t keep_bytes;
  const std::chrono::milliseconds idle_for;
  mutable util::Mutex mu;
  std::condition_variable wake;
  std::deque<Kept> kept GUARDED_BY(mu);
  size_t kept_bytes GUARDED_BY(mu) = 0;
  size_t in_use GUARDED_BY(mu) = 0;  // taken and not given back yet
  bool stopping GUARDED_BY(mu) = false;
};

namespace {

// Buffers are made in sizes of powers of two from 64 KiB, so that reads of nearby sizes (the
// last piece of a file) share them; a buffer is at most twice what was asked.
size_t SizeClass(size_t size) { return std::bit_ceil(std::max<size_t>(size, size_t{64} << 10)); }

}  // namespace

ReadBuffers::ReadBuffers(size_t keep_bytes, std::chrono::milliseconds idle_for)
    : shelf_(std::make_shared<Shelf>(keep_bytes, idle_for)),
      trimmer_([shelf = shelf_] { shelf->TrimUntilStopped(); }) {}

ReadBuffers::~ReadBuffers() {
  shelf_->Stop();
  trimmer_.join();
}

std::shared_ptr<ReadBuffer> ReadBuffers::Take(size_t size) {
  const size_t capacity = SizeClass(size);
  Pages data = shelf_->Find(capacity);
  if (data == nullptr) data = MapPages(capacity);
  char* raw = data.release();
  // The deleter holds the shelf weakly: a buffer let go after the ReadBuffers is just freed.
  return std::shared_ptr<ReadBuffer>(
      new ReadBuffer{raw, size},
      [shelf = std::weak_ptr<Shelf>(shelf_), capacity](ReadBuffer* buffer) {
        Pages owned(buffer->data, Unmap{capacity});
        delete buffer;
        if (std::shared_ptr<Shelf> s = shelf.lock()) s->Give(capacity, std::move(owned));
      });
}

std::shared_ptr<ReadBuffer> ReadBuffers::Unpooled(size_t size) {
  return std::shared_ptr<ReadBuffer>(
      new ReadBuffer{std::make_unique_for_overwrite<char[]>(size).release(), size},
      [](ReadBuffer* buffer) {
        delete[] buffer->data;
        delete buffer;
      });
}

size_t ReadBuffers::kept_bytes() const {
  util::MutexLock lock(shelf_->mu);
  return shelf_->kept_bytes;
}

}  // namespace mv::server
