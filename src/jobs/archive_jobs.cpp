#include "jobs/archive_jobs.h"

#include "importer/archive_config.h"
#include "util/uri.h"

namespace mv::jobs {

Result<std::vector<ArchiveJobs>> ReadArchiveJobs(const ConfigValue& document) {
  // Every section's keys and mirror settings are checked first (a typo such as "evry" is an
  // error at start-up, not a schedule silently missing).
  MV_RETURN_IF_ERROR(importer::FindArchiveConfig(document, "", kArchiveJobKeys).status());
  MV_ASSIGN_OR_RETURN(std::vector<ConfigValue> sections, document.Sections("archive"));
  std::vector<ArchiveJobs> out;
  for (const ConfigValue& section : sections) {
    ArchiveJobs a;
    const ConfigValue* name = section.Find("name");
    if (name == nullptr) return section.Error("an [[archive]] needs a name");
    MV_ASSIGN_OR_RETURN(a.archive, name->AsString());
    const ConfigValue* upstream = section.Find("upstream");
    const ConfigValue* tree = section.Find("tree");
    if ((upstream == nullptr) == (tree == nullptr)) {
      return section.Error("[[archive]] '" + a.archive +
                           "' needs exactly one of upstream (mirror) and tree (local import)");
    }
    if (upstream != nullptr) {
      MV_ASSIGN_OR_RETURN(std::string url, upstream->AsString());
      Result<Uri> uri = ParseUri(url);
      if (!uri.ok()) return upstream->Error(uri.status().message());
      a.host = uri->host + (uri->port ? ":" + std::to_string(*uri->port) : "");
    } else {
      a.kind = JobKind::kImport;
    }
    if (const ConfigValue* v = section.Find("every")) {
      MV_ASSIGN_OR_RETURN(std::chrono::milliseconds every, v->AsDuration());
      if (every.count() <= 0) return v->Error("every must be longer than zero");
      a.every = every;
    }
    if (const ConfigValue* v = section.Find("max_attempts")) {
      MV_ASSIGN_OR_RETURN(int64_t n, v->AsInteger(1, 100));
      a.max_attempts = static_cast<int>(n);
    }
    if (const ConfigValue* v = section.Find("publish")) {
      MV_ASSIGN_OR_RETURN(a.publish, v->AsStringList());
    }
    out.push_back(std::move(a));
  }
  return out;
}

Result<ArchiveJobs> FindArchiveJobs(const ConfigValue& document, const std::string& archive) {
  MV_ASSIGN_OR_RETURN(std::vector<ArchiveJobs> all, ReadArchiveJobs(document));
  for (ArchiveJobs& a : all) {
    if (a.archive == archive) return std::move(a);
  }
  return NotFound("no [[archive]] named '" + archive + "' in the configuration");
}

}  // namespace mv::jobs
