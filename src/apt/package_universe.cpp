#include "apt/package_universe.h"

#include "apt/deb822.h"

namespace mv::apt {
namespace {

const std::vector<uint32_t> kNoPackages;
const std::vector<Provider> kNoProviders;

}  // namespace

std::string UniversePackage::Describe() const {
  return package + " " + version + " (" + architecture + ")";
}

Status PackageUniverse::AddPackagesIndex(std::string_view text, std::string_view where) {
  const auto index = static_cast<uint32_t>(indexes_.size());
  indexes_.emplace_back(where);
  return ForEachParagraph(text, where, [&](const Paragraph& p) -> Status {
    MV_ASSIGN_OR_RETURN(std::string_view name, p.Require("Package", where));
    MV_ASSIGN_OR_RETURN(std::string_view version, p.Require("Version", where));
    MV_ASSIGN_OR_RETURN(std::string_view arch, p.Require("Architecture", where));
    std::vector<uint32_t>& same_name = by_name_[std::string(name)];
    for (uint32_t i : same_name) {
      const UniversePackage& seen = packages_[i];
      if (seen.version == version && seen.architecture == arch) return Status::Ok();
    }
    UniversePackage u;
    u.package = name;
    u.version = version;
    u.architecture = arch;
    u.index = index;
    u.multi_arch = p.Get("Multi-Arch").value_or("");
    u.priority = p.Get("Priority").value_or("");
    u.filename = p.Get("Filename").value_or("");
    u.depends = p.Get("Depends").value_or("");
    u.pre_depends = p.Get("Pre-Depends").value_or("");
    u.recommends = p.Get("Recommends").value_or("");
    if (std::optional<std::string_view> provides = p.Get("Provides")) {
      auto parsed = ParseProvides(*provides, u.Describe());
      if (!parsed.ok()) {
        return parsed.status().WithContext(std::string(where) + ": the paragraph at line " +
                                           std::to_string(p.line()));
      }
      u.provides = std::move(parsed).value();
    }
    const auto id = static_cast<uint32_t>(packages_.size());
    for (uint32_t k = 0; k < u.provides.size(); ++k) {
      providers_[u.provides[k].package].push_back({.package = id, .provision = k});
    }
    same_name.push_back(id);
    packages_.push_back(std::move(u));
    return Status::Ok();
  });
}

const std::vector<uint32_t>& PackageUniverse::Named(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? kNoPackages : it->second;
}

const std::vector<Provider>& PackageUniverse::Providing(std::string_view name) const {
  auto it = providers_.find(name);
  return it == providers_.end() ? kNoProviders : it->second;
}

}  // namespace mv::apt
