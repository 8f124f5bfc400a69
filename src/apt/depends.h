// Debian's relationship fields (Depends, Pre-Depends, Recommends, Suggests, Breaks, Conflicts,
// Build-Depends..., and Provides), as Debian Policy 7.1 writes them and dpkg/apt read them:
//
//   Depends: libc6 (>= 2.34), default-mta | mail-transport-agent, python3:any,
//            foo [amd64 !i386] <!nocheck>
//
// a comma-separated list of groups, each group alternatives separated by "|", each alternative
// a package name with an optional architecture qualifier (":any", ":native", ":amd64"), an
// optional version constraint in parentheses (<<, <=, =, >=, >>; the obsolete "<" and ">" read
// as "<=" and ">=", as dpkg and apt read them), an optional architecture restriction list in
// brackets and optional build-profile formulas in angle brackets (kept, not evaluated). Blanks
// (spaces, tabs, the newlines of continuation lines) may stand between any two tokens.
//
// Stricter than apt where apt would guess: an empty group or alternative ("a, , b", "a |"), a
// name with characters outside [A-Za-z0-9+.~_-], an unknown relation, an empty or blank-holding
// version, an unclosed bracket, or anything left over is InvalidArgument naming the field, the
// package whose field it is and the position.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace mv::apt {

enum class Relation {
  kAny,           // no version constraint
  kEarlier,       // <<
  kEarlierEqual,  // <=
  kEqual,         // =
  kLaterEqual,    // >=
  kLater,         // >>
};

// "<<", "<=", ... ("" for kAny).
std::string_view RelationName(Relation r);

// One alternative: "name:arch (op version) [archs] <profiles>".
struct Dependency {
  std::string package;
  std::string arch_qualifier;  // "" (none), "any", "native" or an architecture name
  Relation relation = Relation::kAny;
  std::string version;                         // empty when relation is kAny
  std::vector<std::string> arch_restrictions;  // "amd64", "!i386" as written
  std::vector<std::string> profile_formulas;   // each <...> group's text, e.g. "!nocheck cross"
  bool operator==(const Dependency&) const = default;
};

// Alternatives, in the order written; the first one that can be satisfied is preferred.
using DependencyGroup = std::vector<Dependency>;

// Every group of `value` (empty when `value` is blank). `field` and `package` name the source
// in errors ("Depends", "hello 2.10-3 (amd64)").
Result<std::vector<DependencyGroup>> ParseDependencies(std::string_view value,
                                                       std::string_view field,
                                                       std::string_view package);

// A Provides value: like a dependency list without alternatives, each constraint "=" only
// (versioned provides); InvalidArgument otherwise.
Result<std::vector<Dependency>> ParseProvides(std::string_view value, std::string_view package);

// Whether `version` satisfies "relation wanted" in Debian's version order (always for kAny).
bool Satisfies(std::string_view version, Relation relation, std::string_view wanted);

// Whether a restriction list ("amd64 !i386" as parsed) admits `arch`: empty admits all; positive
// names admit only themselves; negated names admit all others. Architecture wildcards
// ("linux-any", "any-amd64") match by their parts.
bool ArchRestrictionAdmits(const std::vector<std::string>& restrictions, std::string_view arch);

// The text of a dependency as Debian writes it ("libc6 (>= 2.34)").
std::string ToString(const Dependency& d);

}  // namespace mv::apt
