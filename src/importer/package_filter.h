// Which packages a partial mirror takes (MirrorOptions::packages and ::filter): those named, or
// those whose whole name matches a POSIX extended regular expression (as grep -E). With neither,
// every package. Indexes are always mirrored whole; only the pool files follow the filter.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "util/status.h"

namespace mv::importer {

class PackageFilter {
 public:
  // InvalidArgument naming `filter` when it is not a valid expression.
  static Result<PackageFilter> Make(const std::vector<std::string>& names,
                                    const std::string& filter);
  PackageFilter(PackageFilter&&) noexcept;
  PackageFilter& operator=(PackageFilter&&) noexcept;
  ~PackageFilter();

  // Whether only some packages are taken.
  bool partial() const { return regex_ != nullptr || !names_.empty(); }
  // Thread-safe (regexec on a compiled expression is).
  bool Selected(const std::string& name) const;

 private:
  struct Regex;
  struct RegexFree {
    void operator()(Regex* r) const;
  };
  PackageFilter() = default;

  std::set<std::string> names_;
  std::unique_ptr<Regex, RegexFree> regex_;
};

}  // namespace mv::importer
