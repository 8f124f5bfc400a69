#include "store/fault_injecting_store.h"

#include <regex.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <initializer_list>
#include <random>
#include <thread>
#include <vector>

#include "util/mutex.h"

namespace mv::store {
namespace {

int OpIndex(StoreOp op) { return std::countr_zero(static_cast<uint32_t>(op)); }

// What a fired rule does to one call.
struct Fault {
  std::chrono::milliseconds delay{0};
  Status status;
  std::optional<uint64_t> truncate_after;
};

// Yields the first `limit` bytes of `source`, then end of stream.
class TruncatingReader final : public Reader {
 public:
  TruncatingReader(Reader& source, uint64_t limit) : source_(source), left_(limit) {}
  Result<size_t> Read(char* buf, size_t n) override {
    if (left_ == 0) return size_t{0};
    MV_ASSIGN_OR_RETURN(size_t got, source_.Read(buf, std::min<uint64_t>(n, left_)));
    left_ -= got;
    return got;
  }

 private:
  Reader& source_;
  uint64_t left_;
};

// Passes the first `limit` bytes to `next`, then fails to stop the transfer.
class TruncatingWriter final : public Writer {
 public:
  TruncatingWriter(Writer& next, uint64_t limit) : next_(next), left_(limit) {}
  Status Write(std::string_view data) override {
    size_t take = static_cast<size_t>(std::min<uint64_t>(data.size(), left_));
    if (take > 0) MV_RETURN_IF_ERROR(next_.Write(data.substr(0, take)));
    left_ -= take;
    if (take < data.size()) {
      cut_ = true;
      return Unavailable("injected fault: transfer cut");
    }
    return Status::Ok();
  }
  bool Cut() const { return cut_; }

 private:
  Writer& next_;
  uint64_t left_;
  bool cut_ = false;
};

// A compiled POSIX regex (move-only).
struct RegexFree {
  void operator()(regex_t* re) const {
    regfree(re);
    delete re;
  }
};
using Regex = std::unique_ptr<regex_t, RegexFree>;

Result<Regex> CompileRegex(const std::string& pattern) {
  auto re = std::make_unique<regex_t>();
  int rc = regcomp(re.get(), pattern.c_str(), REG_EXTENDED | REG_NOSUB);
  if (rc != 0) {
    char why[256];
    regerror(rc, re.get(), why, sizeof why);
    return InvalidArgument("fault rule: bad key_regex \"" + pattern + "\": " + why);
  }
  return Regex(re.release());
}

void Sleep(std::chrono::milliseconds delay) {
  if (delay.count() > 0) std::this_thread::sleep_for(delay);
}

}  // namespace

struct FaultInjectingStore::State {
  struct Rule {
    int id = 0;
    FaultRule rule;
    Regex regex;  // null: any key
    uint64_t matched = 0;
    uint64_t fired = 0;
  };

  explicit State(uint64_t seed) : rng(seed) {}

  bool Matches(const Rule& r, StoreOp op, std::initializer_list<const std::string*> keys) const {
    if (!r.rule.ops.Has(op)) return false;
    return std::any_of(keys.begin(), keys.end(), [&](const std::string* key) {
      return key->starts_with(r.rule.key_prefix) &&
             (!r.regex || regexec(r.regex.get(), key->c_str(), 0, nullptr, 0) == 0);
    });
  }

  // Counts the call and returns the fault to inject, if any.
  std::optional<Fault> Decide(StoreOp op, std::initializer_list<const std::string*> keys) {
    calls[OpIndex(op)].fetch_add(1, std::memory_order_relaxed);
    util::MutexLock lock(mu);
    std::optional<Fault> fault;
    for (Rule& r : rules) {
      if (!Matches(r, op, keys)) continue;
      ++r.matched;
      if (fault) continue;
      const FaultRule& rule = r.rule;
      if (rule.max_fires != 0 && r.fired >= rule.max_fires) continue;
      bool fire = rule.nth != 0
                      ? r.matched == rule.nth
                      : std::bernoulli_distribution(std::clamp(rule.probability, 0.0, 1.0))(rng);
      if (!fire) continue;
      ++r.fired;
      fault = Fault{rule.delay, rule.status, rule.truncate_after};
    }
    if (fault && (!fault->status.ok() || fault->truncate_after)) {
      faults[OpIndex(op)].fetch_add(1, std::memory_order_relaxed);
    }
    return fault;
  }

  util::Mutex mu;
  std::vector<Rule> rules GUARDED_BY(mu);
  int next_id GUARDED_BY(mu) = 1;
  std::mt19937_64 rng GUARDED_BY(mu);
  std::array<std::atomic<uint64_t>, kStoreOpCount> calls{};
  std::array<std::atomic<uint64_t>, kStoreOpCount> faults{};
};

FaultInjectingStore::FaultInjectingStore(std::shared_ptr<ObjectStore> target, uint64_t seed)
    : ForwardingStore(std::move(target)), state_(std::make_unique<State>(seed)) {}

FaultInjectingStore::~FaultInjectingStore() = default;

Result<int> FaultInjectingStore::AddRule(FaultRule rule) {
  State::Rule r;
  if (!rule.key_regex.empty()) {
    MV_ASSIGN_OR_RETURN(r.regex, CompileRegex(rule.key_regex));
  }
  r.rule = std::move(rule);
  util::MutexLock lock(state_->mu);
  r.id = state_->next_id++;
  state_->rules.push_back(std::move(r));
  return state_->rules.back().id;
}

void FaultInjectingStore::RemoveRule(int id) {
  util::MutexLock lock(state_->mu);
  std::erase_if(state_->rules, [id](const State::Rule& r) { return r.id == id; });
}

void FaultInjectingStore::ClearRules() {
  util::MutexLock lock(state_->mu);
  state_->rules.clear();
}

uint64_t FaultInjectingStore::Calls(StoreOp op) const {
  return state_->calls[OpIndex(op)].load(std::memory_order_relaxed);
}

uint64_t FaultInjectingStore::Faults(StoreOp op) const {
  return state_->faults[OpIndex(op)].load(std::memory_order_relaxed);
}

void FaultInjectingStore::ResetCounters() {
  for (auto& c : state_->calls) c.store(0, std::memory_order_relaxed);
  for (auto& c : state_->faults) c.store(0, std::memory_order_relaxed);
}

Status FaultInjectingStore::Put(const std::string& key, Reader& reader, const PutOptions& options) {
  std::optional<Fault> fault = state_->Decide(StoreOp::kPut, {&key});
  if (!fault) return ForwardingStore::Put(key, reader, options);
  Sleep(fault->delay);
  if (fault->truncate_after) {
    TruncatingReader torn(reader, *fault->truncate_after);
    PutOptions unverified = options;
    unverified.expected_sha256.reset();
    MV_RETURN_IF_ERROR(ForwardingStore::Put(key, torn, unverified));
    return fault->status;
  }
  if (!fault->status.ok()) return fault->status;
  return ForwardingStore::Put(key, reader, options);
}

Status FaultInjectingStore::PutFile(const std::string& key, const std::string& path,
                                    const PutOptions& options) {
  // NOLINTNEXTLINE(bugprone-parent-virtual-call): the generic version, through this->Put
  return ObjectStore::PutFile(key, path, options);
}

Status FaultInjectingStore::Get(const std::string& key, Writer& writer, const GetOptions& options) {
  std::optional<Fault> fault = state_->Decide(StoreOp::kGet, {&key});
  if (!fault) return ForwardingStore::Get(key, writer, options);
  Sleep(fault->delay);
  if (fault->truncate_after) {
    TruncatingWriter torn(writer, *fault->truncate_after);
    Status st = ForwardingStore::Get(key, torn, options);
    if (!st.ok() && !torn.Cut()) return st;  // a real failure before the cut
    return fault->status;
  }
  if (!fault->status.ok()) return fault->status;
  return ForwardingStore::Get(key, writer, options);
}

Status FaultInjectingStore::GetFile(const std::string& key, const std::string& path,
                                    const GetOptions& options) {
  // NOLINTNEXTLINE(bugprone-parent-virtual-call): the generic version, through this->Get
  return ObjectStore::GetFile(key, path, options);
}

Result<ObjectInfo> FaultInjectingStore::Head(const std::string& key) {
  std::optional<Fault> fault = state_->Decide(StoreOp::kHead, {&key});
  if (fault) Sleep(fault->delay);
  if (fault && !fault->status.ok()) return fault->status;
  return ForwardingStore::Head(key);
}

Result<ListPage> FaultInjectingStore::List(const ListOptions& options) {
  std::optional<Fault> fault = state_->Decide(StoreOp::kList, {&options.prefix});
  if (fault) Sleep(fault->delay);
  if (fault && !fault->status.ok()) return fault->status;
  return ForwardingStore::List(options);
}

Status FaultInjectingStore::Delete(const std::string& key) {
  std::optional<Fault> fault = state_->Decide(StoreOp::kDelete, {&key});
  if (fault) Sleep(fault->delay);
  if (fault && !fault->status.ok()) return fault->status;
  return ForwardingStore::Delete(key);
}

Status FaultInjectingStore::DeleteMany(std::span<const std::string> keys,
                                       std::vector<DeleteFailure>* failures) {
  // NOLINTNEXTLINE(bugprone-parent-virtual-call): the generic version, Delete key by key
  return ObjectStore::DeleteMany(keys, failures);
}

Status FaultInjectingStore::Copy(const std::string& src_key, const std::string& dst_key,
                                 const PutOptions& options) {
  std::optional<Fault> fault = state_->Decide(StoreOp::kCopy, {&src_key, &dst_key});
  if (fault) Sleep(fault->delay);
  if (fault && !fault->status.ok()) return fault->status;
  return ForwardingStore::Copy(src_key, dst_key, options);
}

Result<std::string> FaultInjectingStore::PresignGet(const std::string& key,
                                                    std::chrono::seconds ttl) {
  std::optional<Fault> fault = state_->Decide(StoreOp::kPresign, {&key});
  if (fault) Sleep(fault->delay);
  if (fault && !fault->status.ok()) return fault->status;
  return ForwardingStore::PresignGet(key, ttl);
}

Status FaultInjectingStore::Sync() {
  static const std::string kWholeStore;
  std::optional<Fault> fault = state_->Decide(StoreOp::kSync, {&kWholeStore});
  if (fault) Sleep(fault->delay);
  if (fault && !fault->status.ok()) return fault->status;
  return ForwardingStore::Sync();
}

}  // namespace mv::store
