#include "importer/archive_config.h"

#include <array>

#include "apt/index_select.h"

namespace mv::importer {
namespace {

// The keys the importer reads (archive_config.h).
constexpr std::array<std::string_view, 17> kImporterKeys = {
    "name",        "upstream",  "suites",           "components",       "archs",
    "sources",     "keyring",   "no_verify",        "packages",         "filter",
    "concurrency", "without",   "installer_images", "filter_with_deps", "with_recommends",
    "signing_key", "gnupg_home"};

}  // namespace

Result<std::optional<MirrorOptions>> FindArchiveConfig(
    const ConfigValue& document, const std::string& name,
    std::span<const std::string_view> other_keys) {
  std::vector<std::string_view> known(kImporterKeys.begin(), kImporterKeys.end());
  known.insert(known.end(), other_keys.begin(), other_keys.end());
  MV_ASSIGN_OR_RETURN(std::vector<ConfigValue> sections, document.Sections("archive"));
  std::optional<MirrorOptions> found;
  for (const ConfigValue& section : sections) {
    MV_RETURN_IF_ERROR(section.CheckKeys(known));
    const ConfigValue* name_value = section.Find("name");
    if (name_value == nullptr) return section.Error("an [[archive]] needs a name");
    MV_ASSIGN_OR_RETURN(std::string section_name, name_value->AsString());
    if (section_name != name) continue;
    if (found) return name_value->Error("a second [[archive]] named '" + name + "'");
    MirrorOptions o;
    o.archive = name;
    auto str = [&](std::string_view key, std::string& out) -> Status {
      if (const ConfigValue* v = section.Find(key)) {
        MV_ASSIGN_OR_RETURN(out, v->AsString());
      }
      return Status::Ok();
    };
    auto list = [&](std::string_view key, std::vector<std::string>& out) -> Status {
      if (const ConfigValue* v = section.Find(key)) {
        MV_ASSIGN_OR_RETURN(out, v->AsStringList());
      }
      return Status::Ok();
    };
    auto flag = [&](std::string_view key, bool& out) -> Status {
      if (const ConfigValue* v = section.Find(key)) {
        MV_ASSIGN_OR_RETURN(out, v->AsBool());
      }
      return Status::Ok();
    };
    MV_RETURN_IF_ERROR(str("upstream", o.upstream));
    MV_RETURN_IF_ERROR(list("suites", o.suites));
    MV_RETURN_IF_ERROR(list("components", o.components));
    MV_RETURN_IF_ERROR(list("archs", o.architectures));
    MV_RETURN_IF_ERROR(flag("sources", o.sources));
    MV_RETURN_IF_ERROR(flag("installer_images", o.installer_images));
    MV_RETURN_IF_ERROR(str("keyring", o.keyring));
    MV_RETURN_IF_ERROR(flag("no_verify", o.no_verify));
    MV_RETURN_IF_ERROR(list("packages", o.packages));
    MV_RETURN_IF_ERROR(str("filter", o.filter));
    MV_RETURN_IF_ERROR(list("without", o.without));
    if (const ConfigValue* v = section.Find("without")) {
      // An unknown word is refused here, at its line, rather than when the mirror starts.
      if (Result<std::vector<apt::IndexPart>> parts = apt::ParseIndexParts(o.without, "without");
          !parts.ok()) {
        return v->Error(parts.status().message());
      }
    }
    MV_RETURN_IF_ERROR(flag("filter_with_deps", o.filter_with_deps));
    MV_RETURN_IF_ERROR(flag("with_recommends", o.with_recommends));
    MV_RETURN_IF_ERROR(str("signing_key", o.signing_key.key));
    MV_RETURN_IF_ERROR(str("gnupg_home", o.signing_key.gnupg_home));
    if (const ConfigValue* v = section.Find("concurrency")) {
      MV_ASSIGN_OR_RETURN(int64_t n, v->AsInteger(1, 1024));
      o.concurrency = static_cast<size_t>(n);
    }
    found = std::move(o);
  }
  return found;
}

}  // namespace mv::importer
