// The binary packages of some Packages indexes, indexed for dependency resolution: by name, and
// by the virtual names they provide (Provides, versioned or not). What src/apt/closure.h walks.
//
// Only the fields resolution needs are kept; the relationship fields stay text until a closure
// visits the package (most packages of a 60k-stanza index are never visited).
// Thread safety: const methods may be called concurrently; Add* needs exclusive access.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "apt/depends.h"
#include "util/status.h"

namespace mv::apt {

struct UniversePackage {
  std::string package, version, architecture;
  std::string multi_arch;  // "", "same", "foreign", "allowed", "no"
  std::string priority;    // "required", "important", "standard", "optional", "extra" or ""
  std::string filename;    // Filename: the pool file
  std::string depends, pre_depends, recommends;  // as written (empty when absent)
  std::vector<Dependency> provides;
  uint32_t index = 0;  // which Add call it came from: indexes()[index]

  // "hello 2.10-3 (amd64)", for messages.
  std::string Describe() const;
};

struct Provider {
  uint32_t package = 0;    // into packages()
  uint32_t provision = 0;  // into that package's provides (its version when "=")
};

class PackageUniverse {
 public:
  // Adds every stanza of a decompressed Packages index. The same (Package, Version, Architecture)
  // seen again (a binary-all index beside binary-amd64's copy) is kept once. InvalidArgument
  // naming `where` and the stanza's line when one lacks Package, Version or Architecture, or
  // when its Provides does not parse.
  Status AddPackagesIndex(std::string_view text, std::string_view where);

  const std::vector<UniversePackage>& packages() const { return packages_; }
  const std::vector<std::string>& indexes() const { return indexes_; }

  // The packages named `name` (any version or architecture), in the order added; empty if none.
  const std::vector<uint32_t>& Named(std::string_view name) const;
  // The packages that provide `name`, in the order added; empty if none.
  const std::vector<Provider>& Providing(std::string_view name) const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<UniversePackage> packages_;
  std::vector<std::string> indexes_;
  std::unordered_map<std::string, std::vector<uint32_t>, Hash, std::equal_to<>> by_name_;
  std::unordered_map<std::string, std::vector<Provider>, Hash, std::equal_to<>> providers_;
};

}  // namespace mv::apt
