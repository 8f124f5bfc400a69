#include "apt/closure.h"

#include <algorithm>
#include <deque>

#include "apt/version.h"

namespace mv::apt {
namespace {

constexpr size_t kNone = static_cast<size_t>(-1);  // no package, no architecture

// Lower is more important; unknown priorities last.
int PriorityRank(std::string_view priority) {
  static constexpr std::string_view kOrder[] = {"required", "important", "standard", "optional",
                                                "extra"};
  for (size_t i = 0; i < std::size(kOrder); ++i) {
    if (priority == kOrder[i]) return static_cast<int>(i);
  }
  return static_cast<int>(std::size(kOrder));
}

std::string GroupText(const DependencyGroup& group) {
  std::string out;
  for (size_t i = 0; i < group.size(); ++i) {
    if (i) out += " | ";
    out += ToString(group[i]);
  }
  return out;
}

class Walk {
 public:
  Walk(const PackageUniverse& universe, const ClosureOptions& options)
      : universe_(universe),
        options_(options),
        included_(universe.packages().size(), false),
        visited_(universe.packages().size() * options.architectures.size(), false) {}

  // Adds package `id` resolved for architecture number `arch` (once).
  void Add(uint32_t id, size_t arch) {
    size_t slot = arch * universe_.packages().size() + id;
    if (visited_[slot]) return;
    visited_[slot] = true;
    included_[id] = true;
    queue_.push_back({id, arch});
  }

  // The architecture number of `name`, or npos when it is not mirrored.
  size_t ArchNumber(std::string_view name) const {
    for (size_t i = 0; i < options_.architectures.size(); ++i) {
      if (options_.architectures[i] == name) return i;
    }
    return kNone;
  }

  Status Run(Closure* out) {
    while (!queue_.empty()) {
      auto [id, arch] = queue_.front();
      queue_.pop_front();
      const UniversePackage& u = universe_.packages()[id];
      MV_RETURN_IF_ERROR(Follow(u, "Pre-Depends", u.pre_depends, arch, out));
      MV_RETURN_IF_ERROR(Follow(u, "Depends", u.depends, arch, out));
      if (options_.recommends) MV_RETURN_IF_ERROR(Follow(u, "Recommends", u.recommends, arch, out));
    }
    for (uint32_t i = 0; i < included_.size(); ++i) {
      if (included_[i]) out->packages.push_back(i);
    }
    return Status::Ok();
  }

 private:
  // Where a dependency looks in context `arch`: an architecture number (npos when none applies)
  // and whether "all" packages count.
  struct Target {
    size_t arch = kNone;
    bool all = false;
  };

  Target TargetOf(const Dependency& d, size_t arch) const {
    const std::string& q = d.arch_qualifier;
    if (q.empty() || q == "any" || q == "native") return {arch, true};
    if (q == "all") return {kNone, true};
    size_t other = ArchNumber(q);
    return {other, other == arch};
  }

  bool InTarget(const UniversePackage& u, const Target& t) const {
    if (u.architecture == "all") return t.all;
    return t.arch != kNone && u.architecture == options_.architectures[t.arch];
  }

  bool RealMatches(const UniversePackage& u, const Dependency& d, const Target& t) const {
    if (!InTarget(u, t)) return false;
    if (d.arch_qualifier == "any" && u.multi_arch != "allowed") return false;
    return Satisfies(u.version, d.relation, d.version);
  }

  bool ProviderMatches(const Provider& p, const Dependency& d, const Target& t) const {
    const UniversePackage& u = universe_.packages()[p.package];
    if (!InTarget(u, t)) return false;
    if (d.relation == Relation::kAny) return true;
    const Dependency& provision = u.provides[p.provision];
    return provision.relation == Relation::kEqual &&
           Satisfies(provision.version, d.relation, d.version);
  }

  bool SatisfiedByClosure(const Dependency& d, const Target& t) const {
    for (uint32_t id : universe_.Named(d.package)) {
      if (included_[id] && RealMatches(universe_.packages()[id], d, t)) return true;
    }
    for (const Provider& p : universe_.Providing(d.package)) {
      if (included_[p.package] && ProviderMatches(p, d, t)) return true;
    }
    return false;
  }

  // The package that satisfies `d` best (see closure.h), or npos.
  size_t Choose(const Dependency& d, const Target& t) const {
    size_t best = kNone;
    for (uint32_t id : universe_.Named(d.package)) {
      const UniversePackage& u = universe_.packages()[id];
      if (!RealMatches(u, d, t)) continue;
      if (best == kNone || CompareVersions(u.version, universe_.packages()[best].version) > 0) {
        best = id;
      }
    }
    if (best != kNone) return best;
    int best_rank = 0;
    for (const Provider& p : universe_.Providing(d.package)) {
      if (!ProviderMatches(p, d, t)) continue;
      int rank = PriorityRank(universe_.packages()[p.package].priority);
      if (best == kNone || rank < best_rank) {
        best = p.package;
        best_rank = rank;
      }
    }
    return best;
  }

  Status Follow(const UniversePackage& u, std::string_view field, std::string_view value,
                size_t arch, Closure* out) {
    if (value.empty()) return Status::Ok();
    const std::string& arch_name = options_.architectures[arch];
    MV_ASSIGN_OR_RETURN(
        std::vector<DependencyGroup> groups,
        ParseDependencies(value, field, u.Describe() + " in " + universe_.indexes()[u.index]));
    for (const DependencyGroup& group : groups) {
      // The alternatives that apply on this architecture, with where each looks.
      std::vector<std::pair<const Dependency*, Target>> alternatives;
      for (const Dependency& d : group) {
        if (ArchRestrictionAdmits(d.arch_restrictions, arch_name)) {
          alternatives.emplace_back(&d, TargetOf(d, arch));
        }
      }
      if (alternatives.empty()) continue;
      bool satisfied = std::any_of(alternatives.begin(), alternatives.end(), [&](const auto& a) {
        return SatisfiedByClosure(*a.first, a.second);
      });
      if (satisfied) continue;
      size_t chosen = kNone;
      size_t chosen_arch = arch;
      for (const auto& [d, target] : alternatives) {
        chosen = Choose(*d, target);
        if (chosen != kNone) {
          chosen_arch = target.arch == kNone ? arch : target.arch;
          break;
        }
      }
      if (chosen == kNone) {
        out->unsatisfied.push_back({.package = u.Describe(),
                                    .architecture = arch_name,
                                    .field = std::string(field),
                                    .group = GroupText(group)});
        continue;
      }
      Add(static_cast<uint32_t>(chosen), chosen_arch);
    }
    return Status::Ok();
  }

  const PackageUniverse& universe_;
  const ClosureOptions& options_;
  std::vector<bool> included_;
  std::vector<bool> visited_;
  std::deque<std::pair<uint32_t, size_t>> queue_;
};

}  // namespace

Result<Closure> CloseOverDependencies(const PackageUniverse& universe,
                                      const std::function<bool(std::string_view)>& selected,
                                      const ClosureOptions& options) {
  if (options.architectures.empty()) {
    return InvalidArgument("a dependency closure needs at least one architecture");
  }
  Walk walk(universe, options);
  const std::vector<UniversePackage>& packages = universe.packages();
  for (uint32_t id = 0; id < packages.size(); ++id) {
    const UniversePackage& u = packages[id];
    if (!selected(u.package)) continue;
    if (u.architecture == "all") {
      for (size_t a = 0; a < options.architectures.size(); ++a) walk.Add(id, a);
    } else if (size_t a = walk.ArchNumber(u.architecture); a != kNone) {
      walk.Add(id, a);
    }
  }
  Closure out;
  MV_RETURN_IF_ERROR(walk.Run(&out));
  return out;
}

}  // namespace mv::apt
