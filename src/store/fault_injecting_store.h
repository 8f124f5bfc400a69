// FaultInjectingStore: a decorator that makes a store fail on purpose, for the tests of
// everything built on ObjectStore (retries, verification, the commit protocol).
//
// Rules pick calls by operation and key, decide whether to fire (the Nth matching call, every
// one, or with probability p from a seeded RNG, optionally at most M times), and then act: sleep
// `delay`, then either return `status`, or — with `truncate_after` — do a torn transfer: a Put
// stores only the first N bytes of the reader (expected_sha256 is not passed on, so the target
// keeps the torn object as a store that does not verify would) and a Get delivers only the first
// N bytes to the writer; both then return `status`. A rule whose status is OK only delays (or,
// with truncate_after, tears silently). Every matching rule counts the call; the first (in the
// order added) that fires acts alone.
//
// Keys matched: the key; for List the prefix; for Copy either the source or the destination.
// PutFile and GetFile are Put and Get (they run ObjectStore's generic versions over this
// store's Put and Get); DeleteMany runs Delete per key, so rules and failures apply per key.
// Counters count calls per operation (including failed ones) and faults injected.
// Thread-safe: rules may be added and removed while other threads use the store.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "store/forwarding_store.h"

namespace mv::store {

enum class StoreOp : uint32_t {
  kPut = 1u << 0,
  kGet = 1u << 1,
  kHead = 1u << 2,
  kList = 1u << 3,
  kDelete = 1u << 4,
  kCopy = 1u << 5,
  kPresign = 1u << 6,
  kSync = 1u << 7,  // its key is "" (the store as a whole): rules naming keys never match it
};
inline constexpr int kStoreOpCount = 8;

// A set of operations: `StoreOp::kPut | StoreOp::kGet`, or StoreOps::All().
class StoreOps {
 public:
  constexpr StoreOps(StoreOp op) : bits_(static_cast<uint32_t>(op)) {}  // NOLINT: implicit
  static constexpr StoreOps All() { return StoreOps((1u << kStoreOpCount) - 1); }
  constexpr bool Has(StoreOp op) const { return (bits_ & static_cast<uint32_t>(op)) != 0; }
  friend constexpr StoreOps operator|(StoreOps a, StoreOps b) {
    return StoreOps(a.bits_ | b.bits_);
  }

 private:
  explicit constexpr StoreOps(uint32_t bits) : bits_(bits) {}
  uint32_t bits_;
};
inline constexpr StoreOps operator|(StoreOp a, StoreOp b) { return StoreOps(a) | StoreOps(b); }

struct FaultRule {
  StoreOps ops = StoreOps::All();
  std::string key_prefix;  // matches keys starting with it ("" = all)
  std::string key_regex;   // POSIX extended, searched within the key ("" = all)
  // Fire on exactly the nth matching call (1-based); 0: on every matching call, subject to
  // `probability`.
  uint64_t nth = 0;
  double probability = 1.0;  // in [0, 1], drawn from the store's seeded RNG
  uint64_t max_fires = 0;    // stop firing after this many (0 = no limit)
  std::chrono::milliseconds delay{0};
  Status status = Unavailable("injected fault");
  std::optional<uint64_t> truncate_after;  // Put and Get only: a torn transfer of N bytes
};

class FaultInjectingStore final : public ForwardingStore {
 public:
  // `seed` drives every probability decision, so a failing run can be replayed.
  explicit FaultInjectingStore(std::shared_ptr<ObjectStore> target, uint64_t seed = 1);
  ~FaultInjectingStore() override;

  // Returns an id for RemoveRule; InvalidArgument when key_regex does not compile.
  Result<int> AddRule(FaultRule rule);
  void RemoveRule(int id);
  void ClearRules();

  uint64_t Calls(StoreOp op) const;
  uint64_t Faults(StoreOp op) const;
  void ResetCounters();

  // Staged writes would bypass the Put rules: this store offers none, so writers use Put.
  bool SupportsStaging() const override { return false; }
  Status Put(const std::string& key, Reader& reader, const PutOptions& options) override;
  Status PutFile(const std::string& key, const std::string& path,
                 const PutOptions& options) override;
  Status Get(const std::string& key, Writer& writer, const GetOptions& options) override;
  Status GetFile(const std::string& key, const std::string& path,
                 const GetOptions& options) override;
  Result<ObjectInfo> Head(const std::string& key) override;
  Result<ListPage> List(const ListOptions& options) override;
  Status Delete(const std::string& key) override;
  Status DeleteMany(std::span<const std::string> keys,
                    std::vector<DeleteFailure>* failures) override;
  Status Copy(const std::string& src_key, const std::string& dst_key,
              const PutOptions& options) override;
  Result<std::string> PresignGet(const std::string& key, std::chrono::seconds ttl) override;
  Status Sync() override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace mv::store
