#include "pkgindex/run_packages.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <iterator>
#include <map>
#include <set>

#include "apt/index_select.h"
#include "apt/indexes.h"
#include "apt/paragraph_diff.h"
#include "apt/release.h"
#include "apt/signature.h"
#include "util/decompress.h"
#include "util/log.h"

namespace mv::pkgindex {
namespace {

Result<std::string> ReadBlob(store::ObjectStore& store, const archive::TreeEntry& file) {
  return store.GetBytes(archive::BlobKey(file.hash), {.size_hint = file.size});
}

// The suite's Release text, from InRelease (signature not checked here: the run's files are
// what was verified, or imported, when the run was made) or Release.
Result<std::optional<std::string>> ReleaseText(store::ObjectStore& store,
                                               archive::NodeSource& nodes,
                                               const archive::Sha256& suite_dir,
                                               const std::string& where) {
  MV_ASSIGN_OR_RETURN(std::optional<archive::TreeEntry> inrelease,
                      archive::LookupEntry(nodes, suite_dir, "InRelease"));
  if (inrelease && inrelease->type == archive::EntryType::kFile) {
    MV_ASSIGN_OR_RETURN(std::string bytes, ReadBlob(store, *inrelease));
    Result<std::string> text = apt::ClearsignedText(bytes, where + "/InRelease");
    if (text.ok()) return std::optional<std::string>(std::move(*text));
  }
  MV_ASSIGN_OR_RETURN(std::optional<archive::TreeEntry> release,
                      archive::LookupEntry(nodes, suite_dir, "Release"));
  if (release && release->type == archive::EntryType::kFile) {
    MV_ASSIGN_OR_RETURN(std::string bytes, ReadBlob(store, *release));
    return std::optional<std::string>(std::move(bytes));
  }
  return std::optional<std::string>();
}

// The index a run holds for one scope: the preferred variant its Release lists and the run holds
// as listed.
struct ScopeIndex {
  apt::IndexKind kind{};
  std::string path;  // in the run, for messages and the compression
  archive::TreeEntry entry;
  bool flat = false;
};

// The index of each scope in one repository folder `dir` (a suite's dists/<suite>/, or a flat
// repository's top), without reading the indexes; what cannot be trusted is said in `skipped`.
Status ListSuite(store::ObjectStore& store, archive::NodeSource& nodes, const archive::Sha256& dir,
                 const std::string& suite_name, const std::string& where, bool flat,
                 std::map<IndexScope, ScopeIndex>& out, std::vector<std::string>& skipped) {
  MV_ASSIGN_OR_RETURN(std::optional<std::string> text, ReleaseText(store, nodes, dir, where));
  if (!text) return Status::Ok();
  Result<apt::Release> release = apt::ParseRelease(*text, where + "/Release");
  if (!release.ok()) {
    skipped.push_back(release.status().message());
    return Status::Ok();
  }
  Result<std::vector<apt::SelectedIndex>> selected =
      apt::SelectIndexes(*release, {.sources = true, .flat = flat}, where);
  if (!selected.ok()) {
    skipped.push_back(selected.status().message());
    return Status::Ok();
  }
  // The variants of each Packages or Sources index that the run holds as listed.
  std::map<std::string, std::vector<const apt::SelectedIndex*>> by_base;
  std::map<const apt::SelectedIndex*, archive::TreeEntry> entries;
  for (const apt::SelectedIndex& s : *selected) {
    if (s.kind != apt::IndexKind::kPackages && s.kind != apt::IndexKind::kSources) continue;
    Result<archive::TreeEntry> entry = archive::LookupPath(nodes, dir, s.path);
    if (entry.status().IsNotFound()) continue;
    MV_RETURN_IF_ERROR(entry.status());
    if (entry->type != archive::EntryType::kFile) continue;
    if (archive::ToHex(entry->hash) != s.entry.sha256) {
      skipped.push_back((where == "." ? "" : where + "/") + s.path +
                        ": not the file its Release lists");
      continue;
    }
    by_base[s.base].push_back(&s);
    entries.emplace(&s, *entry);
  }
  for (const auto& [base, variants] : by_base) {
    const apt::SelectedIndex* best = apt::PreferredVariant(variants);
    if (best == nullptr) continue;
    IndexScope scope{suite_name, best->component,
                     best->kind == apt::IndexKind::kSources ? "source"
                     : flat                                 ? ""
                                                            : best->architecture};
    out[std::move(scope)] = {.kind = best->kind,
                             .path = (where == "." ? "" : where + "/") + best->path,
                             .entry = entries.at(best),
                             .flat = flat};
  }
  return Status::Ok();
}

// The packages of one index into `out`. An index is taken whole or not at all: one that cannot
// be read is said in `skipped`.
Status ReadIndex(store::ObjectStore& store, const IndexScope& scope, const ScopeIndex& index,
                 RunPackages& out) {
  MV_ASSIGN_OR_RETURN(std::string raw, ReadBlob(store, index.entry));
  Result<std::string> plain = Decompressed(std::move(raw), CompressionFromName(index.path),
                                           index.path, apt::kMaxDecompressedIndex);
  if (!plain.ok()) {
    out.skipped.push_back(plain.status().message());
    return Status::Ok();
  }
  RunPackages one;
  Status parsed;
  if (index.kind == apt::IndexKind::kPackages) {
    parsed = apt::ForEachBinaryPackage(*plain, index.path, [&](const apt::BinaryPackage& p) {
      // A flat repository's one Packages holds every architecture.
      one.presence.push_back({scope.suite, scope.component,
                              index.flat ? p.architecture : scope.architecture, p.package,
                              p.version});
      one.binaries.push_back(p);
      return Status::Ok();
    });
  } else {
    parsed = apt::ForEachSourcePackage(*plain, index.path, [&](const apt::SourcePackage& p) {
      one.presence.push_back({scope.suite, scope.component, "source", p.package, p.version});
      one.sources.push_back(p);
      return Status::Ok();
    });
  }
  if (!parsed.ok()) {
    out.skipped.push_back(parsed.message());
    return Status::Ok();
  }
  std::move(one.presence.begin(), one.presence.end(), std::back_inserter(out.presence));
  std::move(one.binaries.begin(), one.binaries.end(), std::back_inserter(out.binaries));
  std::move(one.sources.begin(), one.sources.end(), std::back_inserter(out.sources));
  return Status::Ok();
}

// A package's key within one index: its name, version and (a flat repository's) architecture,
// as views into the index's text.
struct ViewKey {
  std::string_view name, version, architecture;
  bool operator==(const ViewKey&) const = default;
};

// The distinct keys of two versions of one index, each with which versions have it: a flat table
// (no allocation a key: an index has a hundred thousand of them), keys told apart by an XXH3 of
// their fields and then by the fields.
class KeyPresence {
 public:
  explicit KeyPresence(size_t expected)
      : slots_(std::bit_ceil(std::max<size_t>(16, expected * 2))), mask_(slots_.size() - 1) {}

  void Add(bool after, const ViewKey& key) {
    const uint64_t hash = Hash(key);
    const uint8_t bit = after ? 2 : 1;
    Slot& s = Find(key, hash);
    if (s.in == 0) {
      s = {hash, key, bit};
      ++distinct_[after ? 1 : 0];
      if (++used_ * 2 > slots_.size()) Grow();
      return;
    }
    if ((s.in & bit) == 0) ++distinct_[after ? 1 : 0];
    s.in |= bit;
  }
  bool In(bool after, const ViewKey& key) {
    return (Find(key, Hash(key)).in & (after ? 2 : 1)) != 0;
  }
  size_t Distinct(bool after) const { return distinct_[after ? 1 : 0]; }
  // Calls `f(key)` for every key the old version has and the new one has not.
  template <typename F>
  void ForEachGone(F&& f) const {
    for (const Slot& s : slots_) {
      if (s.in == 1) f(s.key);
    }
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    ViewKey key;
    uint8_t in = 0;  // 1: the old version has it, 2: the new one, 3: both; 0: the slot is free
  };

  static uint64_t Hash(const ViewKey& k) {
    uint64_t h = XXH3_64bits(k.name.data(), k.name.size());
    h = XXH3_64bits_withSeed(k.version.data(), k.version.size(), h);
    return XXH3_64bits_withSeed(k.architecture.data(), k.architecture.size(), h);
  }

  Slot& Find(const ViewKey& key, uint64_t hash) {
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.in == 0 || (s.hash == hash && s.key == key)) return s;
    }
  }

  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.in == 0) continue;
      size_t i = s.hash & mask_;
      while (slots_[i].in != 0) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t mask_;
  size_t used_ = 0;
  size_t distinct_[2] = {0, 0};
};

// An index's decompressed text; nullopt when it cannot be read (the full read says why).
Result<std::optional<std::string>> IndexText(store::ObjectStore& store, const ScopeIndex& index) {
  MV_ASSIGN_OR_RETURN(std::string raw, ReadBlob(store, index.entry));
  Result<std::string> plain = Decompressed(std::move(raw), CompressionFromName(index.path),
                                           index.path, apt::kMaxDecompressedIndex);
  if (!plain.ok()) return std::optional<std::string>();
  return std::optional<std::string>(std::move(*plain));
}

// Compares a scope's index with the previous run's (the scope changed): the keys that appeared
// go to `out.presence`, those that disappeared to `out.gone`, the packages of the paragraphs that
// appeared (all parsed, so checked as a full read checks them) to `out.binaries` or `out.sources`.
// False (nothing added) when the two cannot be compared: a full read follows.
Result<bool> CompareIndex(store::ObjectStore& store, const IndexScope& scope, const ScopeIndex& now,
                          const ScopeIndex& before, RunPackages& out) {
  if (now.kind != before.kind || now.flat != before.flat) return false;
  MV_ASSIGN_OR_RETURN(std::optional<std::string> then_text, IndexText(store, before));
  if (!then_text) return false;
  MV_ASSIGN_OR_RETURN(std::optional<std::string> now_text, IndexText(store, now));
  if (!now_text) return false;
  const bool binary = now.kind == apt::IndexKind::kPackages;
  static constexpr std::string_view kBinaryKey[] = {"Package", "Version", "Architecture"};
  static constexpr std::string_view kSourceKey[] = {"Package", "Version"};
  auto view_key = [&](std::span<const std::string_view> v) {
    return ViewKey{v[0], v[1], binary && now.flat ? v[2] : std::string_view()};
  };
  // About one paragraph per 800 bytes of a Packages (more in a Sources).
  KeyPresence keys(std::max(then_text->size(), now_text->size()) / 800);
  bool complete = true;
  Result<apt::ParagraphDiff> diff =
      apt::DiffParagraphs(*then_text, before.path, *now_text, now.path,
                          binary ? std::span<const std::string_view>(kBinaryKey)
                                 : std::span<const std::string_view>(kSourceKey),
                          [&](bool after, std::span<const std::string_view> v) {
                            if (v[0].empty() || v[1].empty() || (binary && v[2].empty())) {
                              complete = false;  // the full read names what is missing
                              return;
                            }
                            keys.Add(after, view_key(v));
                          });
  if (!diff.ok() || !complete) return false;
  auto key_of = [&](const ViewKey& k) {
    return PresenceKey{scope.suite, scope.component,
                       binary ? (now.flat ? std::string(k.architecture) : scope.architecture)
                              : std::string("source"),
                       std::string(k.name), std::string(k.version)};
  };
  RunPackages delta;
  for (const apt::DiffedParagraph& p : diff->added) {
    const ViewKey key = view_key(p.values);
    const bool appeared = !keys.In(false, key);
    Status parsed = binary ? apt::ForEachBinaryPackage(
                                 p.text, now.path,
                                 [&](const apt::BinaryPackage& b) {
                                   if (appeared) delta.binaries.push_back(b);
                                   return Status::Ok();
                                 },
                                 p.line)
                           : apt::ForEachSourcePackage(
                                 p.text, now.path,
                                 [&](const apt::SourcePackage& s) {
                                   if (appeared) delta.sources.push_back(s);
                                   return Status::Ok();
                                 },
                                 p.line);
    if (!parsed.ok()) return false;  // the full read says so, and skips the index
    if (appeared) delta.presence.push_back(key_of(key));
  }
  keys.ForEachGone([&](const ViewKey& k) { delta.gone.push_back(key_of(k)); });
  std::move(delta.presence.begin(), delta.presence.end(), std::back_inserter(out.presence));
  std::move(delta.gone.begin(), delta.gone.end(), std::back_inserter(out.gone));
  std::move(delta.binaries.begin(), delta.binaries.end(), std::back_inserter(out.binaries));
  std::move(delta.sources.begin(), delta.sources.end(), std::back_inserter(out.sources));
  out.compared.push_back({scope, keys.Distinct(false)});
  return true;
}

// The repository folders of a run: each suite folder of dists/ by name, or the run's top as the
// flat repository "." when it has no dists/.
struct SuiteFolder {
  archive::Sha256 dir{};
  bool flat = false;
};
Result<std::map<std::string, SuiteFolder>> SuiteFolders(archive::NodeSource& nodes,
                                                        const archive::Sha256& root) {
  std::map<std::string, SuiteFolder> out;
  MV_ASSIGN_OR_RETURN(std::optional<archive::TreeEntry> dists,
                      archive::LookupEntry(nodes, root, "dists"));
  if (dists && dists->type == archive::EntryType::kDirectory) {
    MV_ASSIGN_OR_RETURN(std::vector<archive::TreeEntry> suites,
                        archive::ListDirectory(nodes, dists->hash));
    for (const archive::TreeEntry& suite : suites) {
      if (suite.type != archive::EntryType::kDirectory) continue;  // "stable -> bookworm"
      out[suite.name] = {suite.hash, false};
    }
  } else {
    // A flat repository at the run's top (apt's `deb URI ./`): its suite is ".".
    out["."] = {root, true};
  }
  return out;
}

}  // namespace

Result<RunPackages> ReadRunPackages(store::ObjectStore& store, archive::NodeSource& nodes,
                                    const archive::Sha256& root,
                                    const std::optional<archive::Sha256>& previous_root) {
  RunPackages out;
  out.against_previous = previous_root.has_value();
  if (previous_root && *previous_root == root) return out;  // the same tree: nothing changed
  MV_ASSIGN_OR_RETURN(auto now, SuiteFolders(nodes, root));
  // The previous run's side, or why it cannot be read: a tree node or Release blob that is gone
  // (withdrawn, lost) or damaged. Then the run is read in full: the index then replaces what the
  // previous run left open instead of moving it on.
  auto read_alone = [&](const Status& why) -> Result<RunPackages> {
    LogWarn("the previous run cannot be compared; the run's package indexes are read in full",
            {{"error", why.ToString()}});
    return ReadRunPackages(store, nodes, root, std::nullopt);
  };
  auto unreadable = [](const Status& st) {
    return st.code() == StatusCode::kNotFound || st.code() == StatusCode::kCorruption;
  };
  std::map<std::string, SuiteFolder> before;
  if (previous_root) {
    Result<std::map<std::string, SuiteFolder>> folders = SuiteFolders(nodes, *previous_root);
    if (!folders.ok()) {
      if (unreadable(folders.status())) return read_alone(folders.status());
      return folders.status();
    }
    before = std::move(*folders);
  }
  std::set<std::string> names;
  for (const auto& [name, f] : now) names.insert(name);
  for (const auto& [name, f] : before) names.insert(name);
  for (const std::string& name : names) {
    auto a = now.find(name);
    auto b = before.find(name);
    if (a != now.end() && b != before.end() && a->second.dir == b->second.dir &&
        a->second.flat == b->second.flat)
      continue;  // the same suite folder: the same indexes
    const std::string where = name == "." ? "." : "dists/" + name;
    std::map<IndexScope, ScopeIndex> indexes_now, indexes_before;
    if (a != now.end()) {
      MV_RETURN_IF_ERROR(ListSuite(store, nodes, a->second.dir, name, where, a->second.flat,
                                   indexes_now, out.skipped));
    }
    if (b != before.end()) {
      std::vector<std::string> noted_then;  // said when that run was indexed
      Status listed = ListSuite(store, nodes, b->second.dir, name, where, b->second.flat,
                                indexes_before, noted_then);
      if (unreadable(listed)) return read_alone(listed);
      MV_RETURN_IF_ERROR(listed);
    }
    std::set<IndexScope> scopes;
    for (const auto& [scope, index] : indexes_now) scopes.insert(scope);
    for (const auto& [scope, index] : indexes_before) scopes.insert(scope);
    for (const IndexScope& scope : scopes) {
      auto x = indexes_now.find(scope);
      auto y = indexes_before.find(scope);
      if (x != indexes_now.end() && y != indexes_before.end() &&
          x->second.entry.hash == y->second.entry.hash && x->second.flat == y->second.flat)
        continue;  // the same index file
      out.changed.push_back(scope);
      if (x == indexes_now.end()) continue;
      if (y != indexes_before.end()) {
        MV_ASSIGN_OR_RETURN(bool compared, CompareIndex(store, scope, x->second, y->second, out));
        if (compared) continue;
      }
      MV_RETURN_IF_ERROR(ReadIndex(store, scope, x->second, out));
    }
  }
  for (std::vector<PresenceKey>* keys : {&out.presence, &out.gone}) {
    std::sort(keys->begin(), keys->end());
    keys->erase(std::unique(keys->begin(), keys->end()), keys->end());
  }
  std::sort(out.compared.begin(), out.compared.end());
  return out;
}

}  // namespace mv::pkgindex
