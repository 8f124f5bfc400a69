#include "importer/package_filter.h"

#include <regex.h>

namespace mv::importer {

struct PackageFilter::Regex {
  regex_t compiled;
};

void PackageFilter::RegexFree::operator()(Regex* r) const {
  ::regfree(&r->compiled);
  delete r;
}

Result<PackageFilter> PackageFilter::Make(const std::vector<std::string>& names,
                                          const std::string& filter) {
  PackageFilter out;
  out.names_.insert(names.begin(), names.end());
  if (filter.empty()) return out;
  // POSIX extended syntax (grep -E), matched against the whole name.
  auto regex = std::make_unique<Regex>();
  const std::string whole = "^(" + filter + ")$";
  int rc = ::regcomp(&regex->compiled, whole.c_str(), REG_EXTENDED | REG_NOSUB);
  if (rc != 0) {
    char why[256] = {};
    ::regerror(rc, &regex->compiled, why, sizeof why);
    return InvalidArgument("--filter '" + filter +
                           "' is not a valid (POSIX extended) regular expression: " + why);
  }
  out.regex_.reset(regex.release());
  return out;
}

PackageFilter::PackageFilter(PackageFilter&&) noexcept = default;
PackageFilter& PackageFilter::operator=(PackageFilter&&) noexcept = default;
PackageFilter::~PackageFilter() = default;

bool PackageFilter::Selected(const std::string& name) const {
  if (!partial()) return true;
  if (names_.count(name) != 0) return true;
  return regex_ && ::regexec(&regex_->compiled, name.c_str(), 0, nullptr, 0) == 0;
}

}  // namespace mv::importer
