#include "pkgindex/package_index.h"

#include <algorithm>
#include <map>
#include <set>

#include "apt/version.h"
#include "db/insert_many.h"
#include "pkgindex/run_packages.h"
#include "pkgindex/schema.h"
#include "util/log.h"

namespace mv::pkgindex {
namespace {

using db::Bytes;
using db::Value;

Value T(std::string_view s) { return std::string(s); }
Value B(const archive::Sha256& h) { return Bytes{std::string(archive::AsBytes(h))}; }
Value I(uint64_t v) { return static_cast<int64_t>(v); }

Result<archive::Sha256> Sha(std::string_view hex, std::string_view what) {
  return archive::ParseSha256(hex, what);
}

// Ids of rows upserted by a natural key, remembered within one transaction.
Result<int64_t> UpsertId(db::Connection& c, std::string_view sql, std::span<const Value> params) {
  int64_t id = -1;
  MV_RETURN_IF_ERROR(c.Query(sql, params, [&](const db::Row& row) {
    id = row.Int(0);
    return Status::Ok();
  }));
  if (id < 0) return Internal("package index: an upsert returned no id");
  return id;
}

// Records the packages that appear in `run` for the first time in their stretch.
Status AddPackages(db::Connection& c, const RunPackages& pkgs,
                   const std::set<std::pair<std::string, std::string>>& new_sources,
                   const std::set<std::pair<std::string, std::string>>& new_binaries) {
  std::map<std::pair<std::string, std::string>, int64_t> source_ids;
  for (const apt::SourcePackage& s : pkgs.sources) {
    auto key = std::make_pair(s.package, s.version);
    if (new_sources.count(key) == 0) continue;
    auto [it, inserted] = source_ids.try_emplace(key, -1);
    if (!inserted) continue;
    const Value params[] = {T(s.package), T(s.version)};
    MV_ASSIGN_OR_RETURN(it->second,
                        UpsertId(c,
                                 "INSERT INTO pkg_sources(name, version) VALUES ($1, $2) "
                                 "ON CONFLICT (name, version) DO UPDATE SET name = excluded.name "
                                 "RETURNING id",
                                 params));
    std::vector<Value> files;
    for (const apt::PoolFile& f : s.files) {
      MV_ASSIGN_OR_RETURN(archive::Sha256 sha, Sha(f.sha256, f.path));
      files.insert(files.end(),
                   {I(static_cast<uint64_t>(it->second)), B(sha), T(f.path), I(f.size)});
    }
    MV_RETURN_IF_ERROR(db::InsertMany(c,
                                      "INSERT INTO pkg_source_files(source_id, sha256, path, size)",
                                      "ON CONFLICT DO NOTHING", 4, files));
  }
  std::map<std::tuple<std::string, std::string, std::string, std::string>, int64_t> binary_ids;
  // Every binary names a source package, as on snapshot.debian.org: the source of its Source:
  // field (its own name and version without one) is known even where no Sources index lists it
  // (a binary-only mirror), with no source files.
  std::set<std::pair<std::string, std::string>> named_sources;
  std::vector<Value> files;
  for (const apt::BinaryPackage& b : pkgs.binaries) {
    if (new_binaries.count({b.package, b.version}) == 0) continue;
    auto key = std::make_tuple(b.package, b.version, b.source, b.source_version);
    auto [it, inserted] = binary_ids.try_emplace(key, -1);
    if (inserted) {
      named_sources.emplace(b.source, b.source_version);
      const Value params[] = {T(b.package), T(b.version), T(b.source), T(b.source_version)};
      MV_ASSIGN_OR_RETURN(
          it->second,
          UpsertId(c,
                   "INSERT INTO pkg_binaries(name, version, source, source_version) "
                   "VALUES ($1, $2, $3, $4) ON CONFLICT (name, version, source, source_version) "
                   "DO UPDATE SET name = excluded.name RETURNING id",
                   params));
    }
    MV_ASSIGN_OR_RETURN(archive::Sha256 sha, Sha(b.file.sha256, b.file.path));
    files.insert(files.end(), {I(static_cast<uint64_t>(it->second)), T(b.architecture), B(sha),
                               T(b.file.path), I(b.file.size)});
  }
  std::vector<Value> sources;
  for (const auto& [name, version] : named_sources) {
    sources.insert(sources.end(), {T(name), T(version)});
  }
  MV_RETURN_IF_ERROR(db::InsertMany(c, "INSERT INTO pkg_sources(name, version)",
                                    "ON CONFLICT (name, version) DO NOTHING", 2, sources));
  return db::InsertMany(c,
                        "INSERT INTO pkg_binary_files(binary_id, architecture, sha256, path, size)",
                        "ON CONFLICT DO NOTHING", 5, files);
}

// One run, in one transaction: stretches of keys that vanished are closed at `previous`, keys
// that appeared open a stretch at `run`.
// The open stretches of one scope of `archive_name`: `select` ("SELECT ... FROM pkg_presence ")
// with the scope's condition. A flat repository's Packages (no architecture in its scope) holds
// every architecture.
Status QueryOpen(db::Connection& c, const std::string& archive_name, const IndexScope& scope,
                 std::string_view select, const std::function<Status(const db::Row&)>& take) {
  const bool every_architecture = scope.architecture.empty();
  std::vector<Value> params = {T(archive_name), T(scope.suite), T(scope.component)};
  if (!every_architecture) params.push_back(T(scope.architecture));
  return c.Query(std::string(select) + "WHERE archive = $1 AND suite = $2 AND component = $3 AND " +
                     (every_architecture ? "architecture <> 'source'" : "architecture = $4") +
                     " AND last_run IS NULL",
                 params, take);
}

// Whether the scopes `pkgs` compared paragraph by paragraph can be taken as deltas: the index's
// open stretches of each are as many as the previous run's index had packages. They are not when
// that index could not be read when its run was indexed (its scope was then closed) although it
// is read now.
Result<bool> DeltasApply(db::Database& database, const std::string& archive_name,
                         const RunPackages& pkgs) {
  if (pkgs.compared.empty()) return true;
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database.Acquire());
  for (const RunPackages::Compared& compared : pkgs.compared) {
    uint64_t open = 0;
    MV_RETURN_IF_ERROR(QueryOpen(*conn, archive_name, compared.scope,
                                 "SELECT COUNT(*) FROM pkg_presence ", [&](const db::Row& row) {
                                   open = static_cast<uint64_t>(row.Int(0));
                                   return Status::Ok();
                                 }));
    if (open != compared.keys_before) {
      LogWarn(
          "a changed index is read in full: the package index's open stretches are not the "
          "previous index's packages",
          {{"archive", archive_name},
           {"scope", compared.scope.suite + "/" + compared.scope.component + "/" +
                         compared.scope.architecture},
           {"open", open},
           {"previous_packages", compared.keys_before}});
      return false;
    }
  }
  return true;
}

Status IndexOne(db::Database& database, const std::string& archive_name, const RunId& run,
                const std::optional<RunId>& previous, const RunPackages& pkgs,
                UpdateSummary& summary) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database.Acquire());
  db::Connection& c = *conn;
  MV_RETURN_IF_ERROR(c.Begin(db::TransactionMode::kWrite));
  // The open stretches this run may continue or close: the archive's, or, when the run was read
  // against the previous one, only those of the indexes that changed.
  std::map<PresenceKey, std::string> open;  // -> first_run
  auto take_open = [&](const db::Row& row) {
    open.emplace(PresenceKey{row.Text(0), row.Text(1), row.Text(2), row.Text(3), row.Text(4)},
                 row.Text(5));
    return Status::Ok();
  };
  const std::string columns =
      "SELECT suite, component, architecture, name, version, first_run FROM pkg_presence ";
  if (!pkgs.against_previous) {
    const Value params[] = {T(archive_name)};
    MV_RETURN_IF_ERROR(
        c.Query(columns + "WHERE archive = $1 AND last_run IS NULL", params, take_open));
  }
  // The scopes compared paragraph by paragraph are not read: only the keys that came (in
  // `presence`) and went (in `gone`) are touched.
  for (const IndexScope& scope : pkgs.changed) {
    if (!pkgs.against_previous) break;
    auto compared = std::lower_bound(
        pkgs.compared.begin(), pkgs.compared.end(), scope,
        [](const RunPackages::Compared& a, const IndexScope& b) { return a.scope < b; });
    if (compared != pkgs.compared.end() && compared->scope == scope) continue;
    MV_RETURN_IF_ERROR(QueryOpen(c, archive_name, scope, columns, take_open));
  }
  std::set<std::pair<std::string, std::string>> new_sources, new_binaries;
  std::vector<Value> opened;
  for (const PresenceKey& k : pkgs.presence) {
    auto it = open.find(k);
    if (it != open.end()) {
      open.erase(it);  // still present: the stretch goes on
      continue;
    }
    opened.insert(opened.end(), {T(archive_name), T(k.suite), T(k.component), T(k.architecture),
                                 T(k.name), T(k.version), T(run.ToString())});
    (k.architecture == "source" ? new_sources : new_binaries).insert({k.name, k.version});
    summary.presence_opened += 1;
  }
  // What is left of `open` was not in this run.
  if ((!open.empty() || !pkgs.gone.empty()) && !previous) {
    return Internal("package index of " + archive_name + ": open stretches before the first run");
  }
  for (const PresenceKey& k : pkgs.gone) {
    const Value params[] = {T(previous->ToString()), T(archive_name), T(k.suite),  T(k.component),
                            T(k.architecture),       T(k.name),       T(k.version)};
    MV_ASSIGN_OR_RETURN(int64_t closed,
                        c.Execute("UPDATE pkg_presence SET last_run = $1 WHERE archive = $2 AND "
                                  "suite = $3 AND component = $4 AND architecture = $5 AND "
                                  "name = $6 AND version = $7 AND last_run IS NULL",
                                  params));
    summary.presence_closed += static_cast<uint64_t>(closed);
  }
  for (const auto& [k, first] : open) {
    const Value params[] = {T(previous->ToString()), T(archive_name), T(k.suite),   T(k.component),
                            T(k.architecture),       T(k.name),       T(k.version), T(first)};
    MV_RETURN_IF_ERROR(c.Execute("UPDATE pkg_presence SET last_run = $1 WHERE archive = $2 AND "
                                 "suite = $3 AND component = $4 AND architecture = $5 AND "
                                 "name = $6 AND version = $7 AND first_run = $8",
                                 params)
                           .status());
    summary.presence_closed += 1;
  }
  MV_RETURN_IF_ERROR(db::InsertMany(
      c,
      "INSERT INTO pkg_presence(archive, suite, component, architecture, name, version, first_run)",
      "", 7, opened));
  MV_RETURN_IF_ERROR(AddPackages(c, pkgs, new_sources, new_binaries));
  const Value params[] = {T(archive_name), T(run.ToString())};
  MV_RETURN_IF_ERROR(
      c.Execute("INSERT INTO pkg_indexed_runs(archive, run_id) VALUES ($1, $2)", params).status());
  return c.Commit();
}

Result<std::vector<PackageFile>> QueryFiles(db::Database& database, std::string_view sql,
                                            std::span<const Value> params, bool with_arch) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database.Acquire());
  std::vector<PackageFile> out;
  MV_RETURN_IF_ERROR(conn->Query(sql, params, [&](const db::Row& row) -> Status {
    PackageFile f;
    size_t col = 0;
    if (with_arch) f.architecture = row.Text(col++);
    std::string raw = row.Blob(col++);
    if (raw.size() != f.sha256.size()) return Corruption("package index: a hash of the wrong size");
    std::copy(raw.begin(), raw.end(), f.sha256.begin());
    f.path = row.Text(col++);
    f.size = static_cast<uint64_t>(row.Int(col++));
    out.push_back(std::move(f));
    return Status::Ok();
  }));
  return out;
}

}  // namespace

Result<std::unique_ptr<PackageIndex>> PackageIndex::Open(std::shared_ptr<db::Database> database) {
  MV_RETURN_IF_ERROR(db::Migrate(*database, "pkgindex", PackageIndexMigrations()));
  return std::unique_ptr<PackageIndex>(new PackageIndex(std::move(database)));
}

Result<UpdateSummary> PackageIndex::Rebuild(store::ObjectStore& store, archive::Catalog& catalog,
                                            archive::NodeSource& nodes) {
  {
    MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
    MV_RETURN_IF_ERROR(conn->Begin(db::TransactionMode::kWrite));
    for (const char* table : {"pkg_presence", "pkg_indexed_runs", "pkg_binary_files",
                              "pkg_binaries", "pkg_source_files", "pkg_sources"}) {
      MV_RETURN_IF_ERROR(conn->Execute(std::string("DELETE FROM ") + table).status());
    }
    MV_RETURN_IF_ERROR(conn->Commit());
  }
  UpdateSummary total;
  MV_ASSIGN_OR_RETURN(std::vector<std::string> archives, catalog.ListArchives());
  for (const std::string& a : archives) {
    MV_ASSIGN_OR_RETURN(UpdateSummary one, Update(store, catalog, nodes, a));
    total.runs_indexed += one.runs_indexed;
    total.presence_opened += one.presence_opened;
    total.presence_closed += one.presence_closed;
    total.skipped.insert(total.skipped.end(), one.skipped.begin(), one.skipped.end());
  }
  return total;
}

namespace {

// Binary and source packages (with their files) that no stretch of any archive names any more,
// among `binaries` and `sources` (name, version): what indexing the kept runs alone would not
// have recorded. A source package stays while a binary names it as its Source.
Status ForgetPackagesWithoutPresence(db::Connection& c,
                                     const std::set<std::pair<std::string, std::string>>& binaries,
                                     std::set<std::pair<std::string, std::string>> sources) {
  auto present = [&](const std::string& name, const std::string& version,
                     bool source) -> Result<bool> {
    bool found = false;
    const Value params[] = {T(name), T(version)};
    MV_RETURN_IF_ERROR(c.Query(std::string("SELECT 1 FROM pkg_presence WHERE name = $1 AND "
                                           "version = $2 AND architecture ") +
                                   (source ? "= 'source'" : "<> 'source'") + " LIMIT 1",
                               params, [&](const db::Row&) {
                                 found = true;
                                 return Status::Ok();
                               }));
    return found;
  };
  for (const auto& [name, version] : binaries) {
    MV_ASSIGN_OR_RETURN(bool still, present(name, version, false));
    if (still) continue;
    const Value params[] = {T(name), T(version)};
    MV_RETURN_IF_ERROR(
        c.Query("SELECT source, source_version FROM pkg_binaries WHERE name = $1 "
                "AND version = $2",
                params, [&](const db::Row& row) {
                  sources.emplace(row.Text(0), row.Text(1));
                  return Status::Ok();
                }));
    MV_RETURN_IF_ERROR(c.Execute("DELETE FROM pkg_binary_files WHERE binary_id IN (SELECT id FROM "
                                 "pkg_binaries WHERE name = $1 AND version = $2)",
                                 params)
                           .status());
    MV_RETURN_IF_ERROR(
        c.Execute("DELETE FROM pkg_binaries WHERE name = $1 AND version = $2", params).status());
  }
  for (const auto& [name, version] : sources) {
    MV_ASSIGN_OR_RETURN(bool still, present(name, version, true));
    if (still) continue;
    const Value params[] = {T(name), T(version)};
    bool named = false;
    MV_RETURN_IF_ERROR(
        c.Query("SELECT 1 FROM pkg_binaries WHERE source = $1 AND "
                "source_version = $2 LIMIT 1",
                params, [&](const db::Row&) {
                  named = true;
                  return Status::Ok();
                }));
    if (named) continue;
    MV_RETURN_IF_ERROR(c.Execute("DELETE FROM pkg_source_files WHERE source_id IN (SELECT id FROM "
                                 "pkg_sources WHERE name = $1 AND version = $2)",
                                 params)
                           .status());
    MV_RETURN_IF_ERROR(
        c.Execute("DELETE FROM pkg_sources WHERE name = $1 AND version = $2", params).status());
  }
  return Status::Ok();
}

}  // namespace

Result<bool> PackageIndex::ForgetRunIn(db::Connection& c, std::string_view archive,
                                       const RunId& run_id) {
  const std::string run = run_id.ToString();
  const Value at[] = {T(archive), T(run)};
  bool indexed = false;
  std::optional<std::string> before, after;  // the indexed runs next to it
  auto take = [](std::optional<std::string>& out) {
    return [&out](const db::Row& row) {
      if (!row.IsNull(0)) out = row.Text(0);
      return Status::Ok();
    };
  };
  MV_RETURN_IF_ERROR(c.Query("SELECT 1 FROM pkg_indexed_runs WHERE archive = $1 AND run_id = $2",
                             at, [&](const db::Row&) {
                               indexed = true;
                               return Status::Ok();
                             }));
  if (!indexed) return false;
  MV_RETURN_IF_ERROR(
      c.Query("SELECT MAX(run_id) FROM pkg_indexed_runs WHERE archive = $1 AND run_id < $2", at,
              take(before)));
  MV_RETURN_IF_ERROR(
      c.Query("SELECT MIN(run_id) FROM pkg_indexed_runs WHERE archive = $1 AND run_id > $2", at,
              take(after)));
  MV_RETURN_IF_ERROR(
      c.Execute("DELETE FROM pkg_indexed_runs WHERE archive = $1 AND run_id = $2", at).status());

  // Stretches that began at the run (every row with first_run = run has last_run >= run, or is
  // open: both conditions are on pkg_presence_open's columns). Those of the run alone go; the
  // others begin at the next indexed run.
  // The keys whose stretch goes: their packages go too when no stretch of any archive is left.
  std::set<std::pair<std::string, std::string>> binaries_gone, sources_gone;  // name, version
  auto drop_stretches = [&](const std::string& where) -> Status {
    MV_RETURN_IF_ERROR(c.Query("SELECT name, version, architecture FROM pkg_presence " + where, at,
                               [&](const db::Row& row) {
                                 (row.Text(2) == "source" ? sources_gone : binaries_gone)
                                     .emplace(row.Text(0), row.Text(1));
                                 return Status::Ok();
                               }));
    return c.Execute("DELETE FROM pkg_presence " + where, at).status();
  };
  MV_RETURN_IF_ERROR(drop_stretches("WHERE archive = $1 AND last_run = $2 AND first_run = $2"));
  if (after) {
    const Value moved[] = {T(archive), T(run), T(*after)};
    for (const char* open : {"last_run IS NULL", "last_run > $2"}) {
      MV_RETURN_IF_ERROR(c.Execute(std::string("UPDATE pkg_presence SET first_run = $3 WHERE "
                                               "archive = $1 AND first_run = $2 AND ") +
                                       open,
                                   moved)
                             .status());
    }
  } else {
    MV_RETURN_IF_ERROR(
        drop_stretches("WHERE archive = $1 AND first_run = $2 AND last_run IS NULL"));
  }
  MV_RETURN_IF_ERROR(ForgetPackagesWithoutPresence(c, binaries_gone, sources_gone));
  if (!before) return true;  // it was the first indexed run: no stretch began before it
  const Value ended[] = {T(archive), T(run), T(*before)};
  if (!after) {
    // It was the latest indexed run: what was present in the run before it is open again (no
    // stretch ended at the run itself, which was open then).
    const Value latest[] = {T(archive), T(*before)};
    MV_RETURN_IF_ERROR(c.Execute("UPDATE pkg_presence SET last_run = NULL WHERE archive = $1 "
                                 "AND last_run = $2",
                                 latest)
                           .status());
    return true;
  }
  // Stretches present in the runs on both sides of it and absent from it become one. (A stretch
  // that ended at the run had its key in it, so it has no continuation from the next run.)
  struct Joined {
    std::vector<Value> key;  // archive, suite, component, architecture, name, version
    std::string first_run;
    std::optional<std::string> last_run;
  };
  std::vector<Joined> joined;
  const Value around[] = {T(archive), T(*before), T(*after)};
  MV_RETURN_IF_ERROR(c.Query(
      "SELECT x.suite, x.component, x.architecture, x.name, x.version, x.first_run, y.last_run "
      "FROM pkg_presence x JOIN pkg_presence y ON y.archive = x.archive AND y.suite = x.suite "
      "AND y.component = x.component AND y.architecture = x.architecture AND y.name = x.name "
      "AND y.version = x.version AND y.first_run = $3 "
      "WHERE x.archive = $1 AND x.last_run = $2",
      around, [&](const db::Row& row) {
        Joined j{{T(archive), T(row.Text(0)), T(row.Text(1)), T(row.Text(2)), T(row.Text(3)),
                  T(row.Text(4))},
                 row.Text(5),
                 std::nullopt};
        if (!row.IsNull(6)) j.last_run = row.Text(6);
        joined.push_back(std::move(j));
        return Status::Ok();
      }));
  for (const Joined& j : joined) {
    std::vector<Value> params = j.key;
    params.push_back(T(*after));
    MV_RETURN_IF_ERROR(c.Execute("DELETE FROM pkg_presence WHERE archive = $1 AND suite = $2 AND "
                                 "component = $3 AND architecture = $4 AND name = $5 AND "
                                 "version = $6 AND first_run = $7",
                                 params)
                           .status());
    params.back() = T(j.first_run);
    params.push_back(j.last_run ? Value(T(*j.last_run)) : Value(nullptr));
    MV_RETURN_IF_ERROR(c.Execute("UPDATE pkg_presence SET last_run = $8 WHERE archive = $1 AND "
                                 "suite = $2 AND component = $3 AND architecture = $4 AND "
                                 "name = $5 AND version = $6 AND first_run = $7",
                                 params)
                           .status());
  }
  // Stretches that ended at the run end at the one before it.
  MV_RETURN_IF_ERROR(
      c.Execute("UPDATE pkg_presence SET last_run = $3 WHERE archive = $1 AND last_run = $2", ended)
          .status());
  return true;
}

Result<UpdateSummary> PackageIndex::Update(store::ObjectStore& store, archive::Catalog& catalog,
                                           archive::NodeSource& nodes,
                                           const std::string& archive_name) {
  UpdateSummary summary;
  // The latest indexed run and how many are indexed: O(new runs) from here, not O(history).
  std::optional<RunId> latest;
  uint64_t indexed = 0;
  const Value archive_param[] = {T(archive_name)};
  {
    MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
    MV_RETURN_IF_ERROR(
        conn->Query("SELECT MAX(run_id), COUNT(*) FROM pkg_indexed_runs WHERE archive = $1",
                    archive_param, [&](const db::Row& row) -> Status {
                      indexed = static_cast<uint64_t>(row.Int(1));
                      if (indexed == 0) return Status::Ok();
                      MV_ASSIGN_OR_RETURN(latest, RunId::Parse(row.Text(0)));
                      return Status::Ok();
                    }));
  }
  // Every run of the catalog up to the latest indexed one is indexed, and no other: the runs are
  // indexed oldest first. A run that is not (a back-dated import committed since) or an indexed
  // run the catalog no longer has: the archive's stretches are rebuilt from its first run.
  std::optional<archive::RunRow> previous;
  if (latest) {
    MV_ASSIGN_OR_RETURN(uint64_t in_catalog, catalog.CountRunsThrough(archive_name, *latest));
    MV_ASSIGN_OR_RETURN(previous, catalog.GetRun(archive_name, *latest));
    if (in_catalog != indexed || !previous) {
      MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
      MV_RETURN_IF_ERROR(conn->Begin(db::TransactionMode::kWrite));
      MV_RETURN_IF_ERROR(
          conn->Execute("DELETE FROM pkg_presence WHERE archive = $1", archive_param).status());
      MV_RETURN_IF_ERROR(
          conn->Execute("DELETE FROM pkg_indexed_runs WHERE archive = $1", archive_param).status());
      MV_RETURN_IF_ERROR(conn->Commit());
      latest.reset();
      previous.reset();
    }
  }
  MV_ASSIGN_OR_RETURN(std::vector<archive::RunRow> runs,
                      catalog.ListRunsAfter(archive_name, latest));
  // Each run is read against the run indexed before it: only its indexes that changed.
  std::optional<RunId> previous_id;
  std::optional<archive::Sha256> previous_root;
  if (previous) {
    previous_id = previous->run_id;
    previous_root = previous->root;
  }
  for (const archive::RunRow& r : runs) {
    MV_ASSIGN_OR_RETURN(RunPackages pkgs, ReadRunPackages(store, nodes, r.root, previous_root));
    const std::string where = "package index of " + archive_name + "@" + r.run_id.ToString();
    MV_ASSIGN_OR_RETURN(bool deltas_apply, DeltasApply(*database_, archive_name, pkgs));
    if (!deltas_apply) {
      MV_ASSIGN_OR_RETURN(pkgs, ReadRunPackages(store, nodes, r.root, std::nullopt));
    }
    MV_RETURN_IF_ERROR(IndexOne(*database_, archive_name, r.run_id, previous_id, pkgs, summary)
                           .WithContext(where));
    for (const std::string& s : pkgs.skipped) {
      summary.skipped.push_back(archive_name + "@" + r.run_id.ToString() + ": " + s);
    }
    summary.runs_indexed += 1;
    previous_id = r.run_id;
    previous_root = r.root;
  }
  return summary;
}

namespace {

// Presence rows matching `where` (on the alias p), ordered by `order`; an open stretch's last run
// is its archive's latest indexed run.
Result<std::vector<PresenceRow>> QueryPresence(db::Database& database, std::string_view where,
                                               std::string_view order,
                                               std::span<const Value> params) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database.Acquire());
  std::vector<PresenceRow> out;
  MV_RETURN_IF_ERROR(conn->Query(
      "SELECT p.archive, p.suite, p.component, p.architecture, p.name, p.version, p.first_run, "
      "COALESCE(p.last_run, (SELECT MAX(r.run_id) FROM pkg_indexed_runs r "
      "WHERE r.archive = p.archive)) FROM pkg_presence p WHERE " +
          std::string(where) + " ORDER BY " + std::string(order),
      params, [&](const db::Row& row) -> Status {
        PresenceRow p{row.Text(0), row.Text(1), row.Text(2), row.Text(3), row.Text(4), row.Text(5)};
        MV_ASSIGN_OR_RETURN(p.first_run, RunId::Parse(row.Text(6)));
        MV_ASSIGN_OR_RETURN(p.last_run, RunId::Parse(row.Text(7)));
        out.push_back(std::move(p));
        return Status::Ok();
      }));
  return out;
}

}  // namespace

Result<std::vector<PresenceRow>> PackageIndex::Presence(std::string_view archive_name,
                                                        std::string_view name) {
  const Value params[] = {T(archive_name), T(name)};
  return QueryPresence(*database_, "p.archive = $1 AND p.name = $2",
                       "p.suite, p.component, p.architecture, p.version, p.first_run", params);
}

Result<std::vector<std::string>> PackageIndex::SourceVersions(std::string_view name) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  std::vector<std::string> out;
  const Value params[] = {T(name)};
  MV_RETURN_IF_ERROR(conn->Query("SELECT version FROM pkg_sources WHERE name = $1", params,
                                 [&](const db::Row& row) {
                                   out.push_back(row.Text(0));
                                   return Status::Ok();
                                 }));
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return apt::CompareVersions(a, b) > 0;
  });
  return out;
}

Result<std::vector<PackageFile>> PackageIndex::SourceFiles(std::string_view name,
                                                           std::string_view version) {
  const Value params[] = {T(name), T(version)};
  return QueryFiles(*database_,
                    "SELECT f.sha256, f.path, f.size FROM pkg_source_files f JOIN pkg_sources s "
                    "ON s.id = f.source_id WHERE s.name = $1 AND s.version = $2 ORDER BY f.path",
                    params, /*with_arch=*/false);
}

Result<std::vector<BinaryRow>> PackageIndex::BinariesOfSource(std::string_view source,
                                                              std::string_view version) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  std::vector<BinaryRow> out;
  const Value params[] = {T(source), T(version)};
  MV_RETURN_IF_ERROR(conn->Query(
      "SELECT name, version FROM pkg_binaries WHERE source = $1 AND source_version = $2 "
      "ORDER BY name, version",
      params, [&](const db::Row& row) {
        out.push_back({row.Text(0), row.Text(1)});
        return Status::Ok();
      }));
  return out;
}

Result<std::vector<PackageFile>> PackageIndex::BinaryFiles(std::string_view name,
                                                           std::string_view version) {
  const Value params[] = {T(name), T(version)};
  return QueryFiles(*database_,
                    "SELECT f.architecture, f.sha256, f.path, f.size FROM pkg_binary_files f "
                    "JOIN pkg_binaries b ON b.id = f.binary_id WHERE b.name = $1 AND "
                    "b.version = $2 ORDER BY f.architecture, f.path",
                    params, /*with_arch=*/true);
}

Result<std::vector<PresenceRow>> PackageIndex::PresenceOfVersion(std::string_view name,
                                                                 std::string_view version) {
  const Value params[] = {T(name), T(version)};
  return QueryPresence(*database_, "p.name = $1 AND p.version = $2",
                       "p.archive, p.suite, p.component, p.architecture, p.first_run", params);
}

Result<std::vector<std::string>> PackageIndex::SourceNames(std::string_view prefix, size_t limit) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  std::vector<std::string> out;
  // A prefix range on the name index: names >= prefix and < prefix with its last byte raised
  // (package names are ASCII, so the raised byte is never past 0x7f).
  // Debian package names are ASCII: a prefix with any other byte matches nothing (and raising
  // its last byte could make text PostgreSQL refuses as UTF-8).
  for (unsigned char c : prefix) {
    if (c >= 0x7f) return out;
  }
  std::string sql = "SELECT DISTINCT name FROM pkg_sources WHERE name >= $1";
  std::vector<Value> params = {T(prefix)};
  if (!prefix.empty()) {
    std::string upper(prefix);
    upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
    sql += " AND name < $2";
    params.push_back(T(upper));
  }
  sql += " ORDER BY name";
  if (limit > 0) sql += " LIMIT " + std::to_string(limit);
  MV_RETURN_IF_ERROR(conn->Query(sql, params, [&](const db::Row& row) {
    out.push_back(row.Text(0));
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<BinaryVersion>> PackageIndex::BinaryVersions(std::string_view name) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  std::vector<BinaryVersion> out;
  const Value params[] = {T(name)};
  MV_RETURN_IF_ERROR(
      conn->Query("SELECT name, version, source, source_version FROM pkg_binaries WHERE name = $1",
                  params, [&](const db::Row& row) {
                    out.push_back({row.Text(0), row.Text(1), row.Text(2), row.Text(3)});
                    return Status::Ok();
                  }));
  std::sort(out.begin(), out.end(), [](const BinaryVersion& a, const BinaryVersion& b) {
    int c = apt::CompareVersions(a.version, b.version);
    return c != 0 ? c > 0
                  : std::tie(a.source, a.source_version) < std::tie(b.source, b.source_version);
  });
  return out;
}

Result<std::vector<FileLocation>> PackageIndex::FileLocations(const archive::Sha256& sha256) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  // (archive, path) -> the earliest first run; a file may be named by several stretches.
  std::map<std::pair<std::string, std::string>, FileLocation> found;
  const Value params[] = {B(sha256)};
  auto visit = [&](const db::Row& row) -> Status {
    FileLocation loc{row.Text(0), row.Text(1), static_cast<uint64_t>(row.Int(2)), RunId()};
    MV_ASSIGN_OR_RETURN(loc.first_run, RunId::Parse(row.Text(3)));
    auto [it, inserted] = found.try_emplace({loc.archive, loc.path}, loc);
    if (!inserted && loc.first_run < it->second.first_run) it->second.first_run = loc.first_run;
    return Status::Ok();
  };
  MV_RETURN_IF_ERROR(conn->Query(
      "SELECT p.archive, f.path, f.size, MIN(p.first_run) FROM pkg_source_files f "
      "JOIN pkg_sources s ON s.id = f.source_id JOIN pkg_presence p ON p.name = s.name AND "
      "p.version = s.version AND p.architecture = 'source' WHERE f.sha256 = $1 "
      "GROUP BY p.archive, f.path, f.size",
      params, visit));
  MV_RETURN_IF_ERROR(conn->Query(
      "SELECT p.archive, f.path, f.size, MIN(p.first_run) FROM pkg_binary_files f "
      "JOIN pkg_binaries b ON b.id = f.binary_id JOIN pkg_presence p ON p.name = b.name AND "
      "p.version = b.version AND p.architecture <> 'source' WHERE f.sha256 = $1 "
      "GROUP BY p.archive, f.path, f.size",
      params, visit));
  std::vector<FileLocation> out;
  for (auto& [key, loc] : found) out.push_back(std::move(loc));
  std::sort(out.begin(), out.end(), [](const FileLocation& a, const FileLocation& b) {
    return std::tie(a.first_run, a.archive, a.path) < std::tie(b.first_run, b.archive, b.path);
  });
  return out;
}

}  // namespace mv::pkgindex
