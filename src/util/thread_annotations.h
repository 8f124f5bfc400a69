// Clang's thread-safety annotations (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html).
// Under clang with -Wthread-safety the compiler checks that members marked GUARDED_BY(mu_) are
// only touched with mu_ held, and that functions marked REQUIRES(mu_) are only called so; under
// g++ the macros are empty. The lockable type they name is util::Mutex (util/mutex.h).
#pragma once

#if defined(__clang__)
#define MV_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define MV_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) MV_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY MV_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) MV_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) MV_THREAD_ANNOTATION(pt_guarded_by(x))
#define ACQUIRED_BEFORE(...) MV_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) MV_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#define REQUIRES(...) MV_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) MV_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) MV_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) MV_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) MV_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) MV_THREAD_ANNOTATION(assert_capability(x))
#define RETURN_CAPABILITY(x) MV_THREAD_ANNOTATION(lock_returned(x))
#define NO_THREAD_SAFETY_ANALYSIS MV_THREAD_ANNOTATION(no_thread_safety_analysis)
