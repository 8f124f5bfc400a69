// util::Mutex and util::MutexLock: std::mutex and its scoped lock, annotated so that clang's
// -Wthread-safety checks the members they guard (util/thread_annotations.h).
//
//   util::Mutex mu_;
//   int count_ GUARDED_BY(mu_) = 0;
//   void Add() EXCLUDES(mu_) { util::MutexLock lock(mu_); ++count_; }
//
// Waiting on a condition: std::condition_variable waits on lock.native(). Write the wait as a
// loop in the locked function (while (!ready_) cv_.wait(lock.native());) rather than with a
// predicate lambda, so that the analysis sees the guarded reads under the lock.
#pragma once

#include <mutex>

#include "util/thread_annotations.h"

namespace util {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }
  bool try_lock() TRY_ACQUIRE(true) { return mu_.try_lock(); }
  // Tells the analysis that the caller holds this mutex (where it cannot see it).
  void AssertHeld() const ASSERT_CAPABILITY(this) {}

 private:
  friend class MutexLock;
  std::mutex mu_;
};

// Holds a Mutex for its scope. native() is the std::unique_lock a std::condition_variable waits
// on; the wait releases and retakes the mutex, which the analysis treats as held throughout.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : lock_(mu.mu_) {}
  ~MutexLock() RELEASE() = default;
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  std::unique_lock<std::mutex>& native() { return lock_; }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace util
