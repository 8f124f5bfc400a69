#include "importer/unchanged_upstream.h"

#include <vector>

#include "util/redact.h"
#include "util/strings.h"

namespace mv::importer {
namespace {

// The details that say what was selected: all must be equal, or all absent, on both runs.
constexpr std::string_view kSelectionKeys[] = {"suites",
                                               "components",
                                               "architectures",
                                               "sources",
                                               "installer_images",
                                               "packages",
                                               "filter",
                                               "filter_with_deps",
                                               "view",
                                               "selection",
                                               archive::kRunDetailWithout};
constexpr std::string_view kSignedReleaseNames[] = {"InRelease", "Release", "Release.gpg"};

}  // namespace

std::string SuiteFolder(const std::string& suite) {
  if (suite.ends_with('/')) return suite == "./" ? "" : suite;
  return "dists/" + suite + "/";
}

std::map<std::string, std::string> SelectionDetails(const MirrorOptions& options, bool partial,
                                                    std::span<const apt::IndexPart> without) {
  std::map<std::string, std::string> d;
  d["suites"] = Join(options.suites);
  if (!options.components.empty()) d["components"] = Join(options.components);
  if (!options.architectures.empty()) d["architectures"] = Join(options.architectures);
  d["sources"] = options.sources ? "yes" : "no";
  if (options.installer_images) d["installer_images"] = "yes";
  if (!options.packages.empty()) d["packages"] = Join(options.packages);
  if (!options.filter.empty()) d["filter"] = options.filter;
  if (options.filter_with_deps) {
    d["filter_with_deps"] = options.with_recommends ? "depends, recommends" : "depends";
    d["view"] = kViewPrefix;
    d["view_signing_key"] = options.signing_key.key;
  }
  d["selection"] = partial ? "partial" : "complete";
  if (!without.empty()) {
    std::vector<std::string> words;
    for (apt::IndexPart part : without) words.emplace_back(apt::IndexPartWord(part));
    d[std::string(archive::kRunDetailWithout)] = Join(words);
  }
  return d;
}

std::optional<archive::RunRecord> SameSourceParent(
    const MirrorOptions& options, std::string_view parent_record, std::string_view parent_name,
    const std::map<std::string, std::string>& selection) {
  std::optional<archive::RunRecord> differs;
  if (options.filter_with_deps) return differs;
  Result<archive::RunRecord> parsed = archive::ParseRunRecord(parent_record, parent_name);
  // A parent record this version cannot read is not a reason to refuse the mirror: it is read in
  // full instead (CheckReleaseFreshness passes over it the same way).
  if (!parsed.ok()) return differs;
  const archive::RunRecord& parent = *parsed;
  if (parent.source.kind != "upstream" || parent.source.location != RedactUrl(options.upstream))
    return differs;
  for (std::string_view key : kSelectionKeys) {
    auto a = selection.find(std::string(key));
    auto b = parent.source.details.find(std::string(key));
    const bool in_a = a != selection.end(), in_b = b != parent.source.details.end();
    if (in_a != in_b || (in_a && a->second != b->second)) return differs;
  }
  return std::move(*parsed);
}

Result<std::optional<archive::RunRecord>> UnchangedParent(const UnchangedQuestion& q) {
  const std::optional<archive::RunRecord> differs;
  std::optional<archive::RunRecord> parent =
      SameSourceParent(q.options, q.parent_record, q.parent_name, q.selection);
  if (!parent) return differs;
  for (const std::string& suite : q.options.suites) {
    const std::string dists = SuiteFolder(suite);
    for (std::string_view name : kSignedReleaseNames) {
      const std::string path = dists + std::string(name);
      MV_ASSIGN_OR_RETURN(std::optional<archive::Sha256> before, q.parent_file(path));
      if (before != q.now_file(path)) return differs;
    }
  }
  return parent;
}

std::map<std::string, std::string> UnchangedDetails(
    const archive::RunRecord& parent, const std::map<std::string, std::string>& fresh) {
  std::map<std::string, std::string> details = parent.source.details;
  for (const auto& [key, value] : fresh) details[key] = value;
  details["unchanged_from"] = parent.run_id.ToString();
  return details;
}

}  // namespace mv::importer
