#include "archive/run_view.h"

#include <deque>
#include <vector>

#include "util/strings.h"

namespace mv::archive {

Result<RunSpec> ParseRunSpec(std::string_view text) {
  RunSpec spec;
  size_t at = text.find('@');
  spec.archive = std::string(text.substr(0, at));
  spec.timestamp = at == std::string_view::npos ? "now" : std::string(text.substr(at + 1));
  Status valid = ValidateArchiveName(spec.archive);
  if (!valid.ok()) return valid.WithContext("'" + std::string(text) + "'");
  Result<std::optional<RunId>> moment = ParseMoment(spec.timestamp);
  if (!moment.ok()) {
    return InvalidArgument("'" + std::string(text) +
                           "': the part after '@' must be 'now' or a time such as 20240229 or "
                           "20240229T153000Z: " +
                           moment.status().message());
  }
  return spec;
}

Result<std::optional<RunId>> ParseMoment(std::string_view timestamp) {
  if (timestamp == "now") return std::optional<RunId>();
  MV_ASSIGN_OR_RETURN(RunId at, ParseTimestampPrefix(timestamp));
  return std::optional<RunId>(at);
}

Status NoRunAtOrBefore(std::string_view archive, const RunId& at, const RunId& earliest) {
  return NotFound("archive '" + std::string(archive) + "' has no run at or before " +
                  at.ToString() + "; its earliest run is " + earliest.ToString());
}

Result<RunRow> ResolveRun(Catalog& catalog, const RunSpec& spec, Clock& clock) {
  MV_ASSIGN_OR_RETURN(std::optional<RunId> moment, ParseMoment(spec.timestamp));
  // "now" is the latest run: runs named in the future (a --run-id given by hand) count.
  MV_ASSIGN_OR_RETURN(std::optional<RunRow> run, moment
                                                     ? catalog.RunAtOrBefore(spec.archive, *moment)
                                                     : catalog.LatestRun(spec.archive));
  if (run) return *run;
  MV_ASSIGN_OR_RETURN(std::optional<RunRow> earliest, catalog.EarliestRun(spec.archive));
  if (!earliest) return UnknownArchive(catalog, spec.archive);
  RunId at;
  if (moment) {
    at = *moment;
  } else {
    MV_ASSIGN_OR_RETURN(at, RunId::FromTimePoint(clock.Now()));
  }
  return NoRunAtOrBefore(spec.archive, at, earliest->run_id);
}

Status UnknownArchive(Catalog& catalog, std::string_view archive) {
  std::string message =
      "archive '" + std::string(archive) + "' has no runs in catalog " + catalog.Describe();
  Result<std::vector<std::string>> archives = catalog.ListArchives();
  if (!archives.ok()) return NotFound(message);
  if (archives->empty()) return NotFound(message + " (it holds no archives yet)");
  return NotFound(message + "; its archives: " + Join(*archives, ", "));
}

namespace {

// Splits "a/b/../c" into components, dropping empty and "." ones.
void Split(std::string_view path, std::deque<std::string>& out, bool front) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(pos, slash - pos);
    if (!part.empty() && part != ".") parts.emplace_back(part);
    pos = slash + 1;
  }
  if (front) {
    out.insert(out.begin(), parts.begin(), parts.end());
  } else {
    out.insert(out.end(), parts.begin(), parts.end());
  }
}

}  // namespace

Result<TreeEntry> ResolvePath(NodeSource& source, const Sha256& root, std::string_view path,
                              std::string* resolved) {
  std::deque<std::string> todo;
  Split(path, todo, false);
  // The folders walked so far, each with its top node id.
  std::vector<std::string> names;
  std::vector<Sha256> dirs = {root};
  TreeEntry current{.name = "", .type = EntryType::kDirectory, .hash = root};
  int hops = 0;
  auto missing = [&](std::string_view why) {
    return NotFound("path '/" + std::string(path) + "' " + std::string(why));
  };
  while (!todo.empty()) {
    std::string name = std::move(todo.front());
    todo.pop_front();
    if (name == "..") {
      if (names.empty()) return missing("leads above the root of the run");
      names.pop_back();
      dirs.pop_back();
      current = {.name = names.empty() ? "" : names.back(),
                 .type = EntryType::kDirectory,
                 .hash = dirs.back()};
      continue;
    }
    if (current.type != EntryType::kDirectory) {
      return missing("does not exist ('" + Join(names, "/") + "' is not a folder)");
    }
    MV_ASSIGN_OR_RETURN(std::optional<TreeEntry> entry, LookupEntry(source, dirs.back(), name));
    if (!entry) return missing("does not exist");
    if (entry->type == EntryType::kSymlink) {
      if (++hops > kMaxSymlinkHops) {
        return missing("passes through more than " + std::to_string(kMaxSymlinkHops) +
                       " symlinks (a loop?)");
      }
      if (entry->target.starts_with('/')) {
        return missing("passes through symlink '" + Join(names, "/") + (names.empty() ? "" : "/") +
                       name + "' -> '" + entry->target + "', which points outside the run");
      }
      Split(entry->target, todo, true);
      continue;  // resolved from the link's folder: names/dirs stay as they are
    }
    names.push_back(name);
    current = *entry;
    if (entry->type == EntryType::kDirectory) {
      dirs.push_back(entry->hash);
    } else {
      dirs.push_back(dirs.back());  // placeholder; a file ends the walk or fails above
    }
  }
  if (resolved != nullptr) *resolved = Join(names, "/");
  return current;
}

}  // namespace mv::archive
