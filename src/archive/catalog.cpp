#include "archive/catalog.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "archive/catalog_schema.h"
#include "db/insert_many.h"
#include "db/migrations.h"

namespace mv::archive {
namespace {

using db::Bytes;
using db::InsertMany;
using db::Value;

Value B(const Sha256& h) { return Bytes{std::string(AsBytes(h))}; }
Value B(const Sha1& h) { return Bytes{std::string(AsBytes(h))}; }
Value T(std::string_view s) { return std::string(s); }
Value I(uint64_t v) { return static_cast<int64_t>(v); }
Value OptRun(const std::optional<RunId>& id) {
  if (!id) return nullptr;
  return id->ToString();
}

constexpr std::string_view kRunColumns =
    "archive, run_id, root, parent, files, bytes, new_files, new_bytes, record";
// The same without the record (whose JSON is most of a row).
constexpr std::string_view kRunSummaryColumns =
    "archive, run_id, root, parent, files, bytes, new_files, new_bytes";

Result<RunRow> ReadRun(const db::Row& row) {
  RunRow r;
  r.archive = row.Text(0);
  MV_ASSIGN_OR_RETURN(r.run_id, RunId::Parse(row.Text(1)));
  MV_ASSIGN_OR_RETURN(r.root, Sha256FromBytes(row.Blob(2), "archive_runs.root"));
  if (!row.IsNull(3)) {
    MV_ASSIGN_OR_RETURN(RunId parent, RunId::Parse(row.Text(3)));
    r.parent = parent;
  }
  r.files = static_cast<uint64_t>(row.Int(4));
  r.bytes = static_cast<uint64_t>(row.Int(5));
  r.new_files = static_cast<uint64_t>(row.Int(6));
  r.new_bytes = static_cast<uint64_t>(row.Int(7));
  if (row.size() > 8) r.record = row.Text(8);
  return r;
}

Result<FileIdentity> ReadFile(const db::Row& row) {
  FileIdentity f;
  MV_ASSIGN_OR_RETURN(f.sha256, Sha256FromBytes(row.Blob(0), "archive_files.sha256"));
  MV_ASSIGN_OR_RETURN(f.sha1, Sha1FromBytes(row.Blob(1), "archive_files.sha1"));
  f.size = static_cast<uint64_t>(row.Int(2));
  f.first_archive = row.Text(3);
  MV_ASSIGN_OR_RETURN(f.first_run, RunId::Parse(row.Text(4)));
  f.first_path = row.Text(5);
  return f;
}

// A file identity's columns in ReadFile's order, its first place joined in.
constexpr std::string_view kSelectFiles =
    "SELECT f.sha256, f.sha1, f.size, p.archive, p.run_id, p.folder || f.first_name "
    "FROM archive_files f JOIN archive_first_places p ON p.id = f.first_place ";

// "pool/main/h/hello/hello_1.0.dsc" -> {"pool/main/h/hello/", "hello_1.0.dsc"}.
std::pair<std::string_view, std::string_view> SplitFolder(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {std::string_view(), path};
  return {path.substr(0, slash + 1), path.substr(slash + 1)};
}

// The catalog keeps the bytes of the nodes near the top of trees, which every lookup passes and
// which are few: shard nodes, and whole folders that hold folders. Two kinds of leaf node are
// recorded by id alone (to say that the store holds them) and read from the store when asked for:
// a folder of files and symlinks only (a source package's folder, a binary-* folder of indexes),
// which carries nearly all of an archive's per-file bytes (name, SHA-256, SHA-1, size: 124 B a
// file in bench/scale); and the leaves of a sharded folder (pool/main/libx/'s 700 source folders
// in 16 leaves), one of which every upload rewrites (half of the catalog's growth per run).
// `nodes` is one run's batch of new nodes: a new shard leaf's shard node is new in it too.
std::vector<bool> NodesWhoseBytesAreKept(std::span<const EncodedNode> nodes) {
  std::vector<bool> keep(nodes.size(), true);
  std::vector<std::optional<DecodedNode>> decoded(nodes.size());
  std::set<Sha256> shard_children;
  for (size_t i = 0; i < nodes.size(); ++i) {
    Result<DecodedNode> node = DecodeNode(nodes[i].bytes);
    if (!node.ok()) continue;  // not ours to judge: kept as given
    if (node->kind == DecodedNode::Kind::kShard) {
      for (const DecodedNode::Child& child : node->children) shard_children.insert(child.id);
    }
    decoded[i] = std::move(*node);
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!decoded[i] || decoded[i]->kind == DecodedNode::Kind::kShard) continue;
    const bool has_folders =
        std::any_of(decoded[i]->entries.begin(), decoded[i]->entries.end(),
                    [](const TreeEntry& e) { return e.type == EntryType::kDirectory; });
    keep[i] = has_folders && !shard_children.contains(nodes[i].id);
  }
  return keep;
}

// Runs `sql` (with `params`) and returns the runs it selects.
Result<std::vector<RunRow>> QueryRuns(db::Database& database, std::string_view sql,
                                      std::span<const Value> params) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database.Acquire());
  std::vector<RunRow> runs;
  MV_RETURN_IF_ERROR(conn->Query(sql, params, [&](const db::Row& row) -> Status {
    MV_ASSIGN_OR_RETURN(RunRow r, ReadRun(row));
    runs.push_back(std::move(r));
    return Status::Ok();
  }));
  return runs;
}

Result<std::optional<RunRow>> QueryOneRun(db::Database& database, std::string_view sql,
                                          std::span<const Value> params) {
  MV_ASSIGN_OR_RETURN(std::vector<RunRow> runs, QueryRuns(database, sql, params));
  if (runs.empty()) return std::optional<RunRow>();
  return std::optional<RunRow>(std::move(runs.front()));
}

std::string RunQuery(std::string_view where_order) {
  return "SELECT " + std::string(kRunColumns) + " FROM archive_runs WHERE " +
         std::string(where_order);
}

}  // namespace

Result<std::unique_ptr<Catalog>> Catalog::Open(std::shared_ptr<db::Database> database) {
  MV_RETURN_IF_ERROR(db::Migrate(*database, "archive", ArchiveMigrations()));
  return std::unique_ptr<Catalog>(new Catalog(std::move(database)));
}

Result<std::vector<std::string>> Catalog::ListArchives() {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  std::vector<std::string> names;
  MV_RETURN_IF_ERROR(
      conn->Query("SELECT name FROM archive_archives ORDER BY name", {}, [&](const db::Row& row) {
        names.push_back(row.Text(0));
        return Status::Ok();
      }));
  return names;
}

Result<std::vector<RunRow>> Catalog::ListRuns(std::string_view archive) {
  const Value params[] = {T(archive)};
  return QueryRuns(*database_, RunQuery("archive = $1 ORDER BY run_id"), params);
}

Result<int64_t> Catalog::RunChanges(std::string_view archive) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  int64_t changes = 0;
  const Value params[] = {T(archive)};
  MV_RETURN_IF_ERROR(conn->Query("SELECT run_changes FROM archive_archives WHERE name = $1", params,
                                 [&](const db::Row& row) -> Status {
                                   changes = row.Int(0);
                                   return Status::Ok();
                                 }));
  return changes;
}

Result<std::vector<RunRow>> Catalog::ListRunsAfter(std::string_view archive,
                                                   const std::optional<RunId>& after) {
  const std::string columns =
      "SELECT " + std::string(kRunSummaryColumns) + " FROM archive_runs WHERE archive = $1";
  if (!after) {
    const Value params[] = {T(archive)};
    return QueryRuns(*database_, columns + " ORDER BY run_id", params);
  }
  const Value params[] = {T(archive), after->ToString()};
  return QueryRuns(*database_, columns + " AND run_id > $2 ORDER BY run_id", params);
}

Result<std::optional<RunRow>> Catalog::GetRun(std::string_view archive, const RunId& run_id) {
  const Value params[] = {T(archive), run_id.ToString()};
  return QueryOneRun(*database_, RunQuery("archive = $1 AND run_id = $2"), params);
}

Result<std::optional<RunRow>> Catalog::RunAtOrBefore(std::string_view archive, const RunId& at) {
  const Value params[] = {T(archive), at.ToString()};
  return QueryOneRun(
      *database_, RunQuery("archive = $1 AND run_id <= $2 ORDER BY run_id DESC LIMIT 1"), params);
}

Result<std::optional<RunRow>> Catalog::RunBefore(std::string_view archive, const RunId& before) {
  const Value params[] = {T(archive), before.ToString()};
  return QueryOneRun(*database_,
                     RunQuery("archive = $1 AND run_id < $2 ORDER BY run_id DESC LIMIT 1"), params);
}

Result<std::optional<RunRow>> Catalog::LatestRun(std::string_view archive) {
  const Value params[] = {T(archive)};
  return QueryOneRun(*database_, RunQuery("archive = $1 ORDER BY run_id DESC LIMIT 1"), params);
}

Result<uint64_t> Catalog::CountRunsThrough(std::string_view archive, const RunId& through) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  uint64_t n = 0;
  const Value params[] = {T(archive), through.ToString()};
  MV_RETURN_IF_ERROR(
      conn->Query("SELECT COUNT(*) FROM archive_runs WHERE archive = $1 AND run_id <= $2", params,
                  [&](const db::Row& row) {
                    n = static_cast<uint64_t>(row.Int(0));
                    return Status::Ok();
                  }));
  return n;
}

Result<std::optional<RunRow>> Catalog::EarliestRun(std::string_view archive) {
  const Value params[] = {T(archive)};
  return QueryOneRun(*database_, RunQuery("archive = $1 ORDER BY run_id LIMIT 1"), params);
}

Status Catalog::RecordRun(RunRows sorted) {
  // Rows in key order touch each index page once, instead of all over the B-trees.
  std::sort(sorted.files.begin(), sorted.files.end(),
            [](const FileIdentity& a, const FileIdentity& b) { return a.sha256 < b.sha256; });
  std::sort(sorted.nodes.begin(), sorted.nodes.end(),
            [](const EncodedNode& a, const EncodedNode& b) { return a.id < b.id; });
  if (sorted.stat_cache) {
    std::sort(sorted.stat_cache->upserts.begin(), sorted.stat_cache->upserts.end(),
              [](const StatFolderRow& a, const StatFolderRow& b) { return a.path < b.path; });
    std::sort(sorted.stat_cache->deletes.begin(), sorted.stat_cache->deletes.end());
  }
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  return db::WithTransaction(*conn, db::TransactionMode::kWrite,
                             [&](db::Connection& c) { return RecordRunIn(c, sorted); });
}

Status Catalog::RecordRunIn(db::Connection& c, const RunRows& rows) {
  const RunRecord& rec = rows.record;
  {
    const Value params[] = {T(rec.archive)};
    MV_RETURN_IF_ERROR(
        c.Execute("INSERT INTO archive_archives(name) VALUES ($1) ON CONFLICT DO NOTHING", params)
            .status());
  }
  {
    const Value params[] = {T(rec.archive),     rec.run_id.ToString(), B(rec.root),
                            OptRun(rec.parent), I(rec.files),          I(rec.bytes),
                            I(rec.new_files),   I(rec.new_bytes),      T(rows.record_json)};
    MV_ASSIGN_OR_RETURN(
        int64_t inserted,
        c.Execute("INSERT INTO archive_runs(" + std::string(kRunColumns) +
                      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
                  params));
    if (inserted == 0) return Status::Ok();  // recorded already (recovery raced us)
    const Value archive_param[] = {T(rec.archive)};
    MV_RETURN_IF_ERROR(c.Execute("UPDATE archive_archives SET run_changes = run_changes + 1 "
                                 "WHERE name = $1",
                                 archive_param)
                           .status());
  }
  // First places: each (archive, run, folder) the identities name, once, then their ids.
  using Place = std::tuple<std::string, std::string, std::string>;  // archive, run id, folder
  std::map<Place, int64_t> places;
  for (const FileIdentity& f : rows.files) {
    places.try_emplace(Place(f.first_archive, f.first_run.ToString(),
                             std::string(SplitFolder(f.first_path).first)),
                       0);
  }
  std::vector<Value> values;
  values.reserve(std::max(places.size() * 3, rows.files.size() * 5));
  for (const auto& [place, id] : places) {
    values.insert(values.end(), {std::get<0>(place), std::get<1>(place), std::get<2>(place)});
  }
  MV_RETURN_IF_ERROR(InsertMany(c, "INSERT INTO archive_first_places(archive, run_id, folder)",
                                "ON CONFLICT DO NOTHING", 3, values));
  for (auto it = places.begin(); it != places.end();) {
    // One query per (archive, run): every place of it at once.
    const std::string archive = std::get<0>(it->first);
    const std::string run = std::get<1>(it->first);
    const Value params[] = {archive, run};
    MV_RETURN_IF_ERROR(
        c.Query("SELECT folder, id FROM archive_first_places WHERE archive = $1 AND run_id = $2",
                params, [&](const db::Row& row) {
                  auto found = places.find(Place(archive, run, row.Text(0)));
                  if (found != places.end()) found->second = row.Int(1);
                  return Status::Ok();
                }));
    while (it != places.end() && std::get<0>(it->first) == archive &&
           std::get<1>(it->first) == run) {
      if (it->second == 0) {
        return Internal("catalog: no first place recorded for " + archive + "@" + run + " " +
                        std::get<2>(it->first));
      }
      ++it;
    }
  }
  // The earliest (run, archive) wins (run ids have one length, so run_id || archive orders as
  // the pair); within one run the caller gives the first path in tree order, so paths never
  // need comparing.
  values.clear();
  for (const FileIdentity& f : rows.files) {
    auto [folder, name] = SplitFolder(f.first_path);
    int64_t place = places.at(Place(f.first_archive, f.first_run.ToString(), std::string(folder)));
    values.insert(values.end(), {B(f.sha256), B(f.sha1), I(f.size), place, T(name)});
  }
  MV_RETURN_IF_ERROR(InsertMany(
      c, "INSERT INTO archive_files(sha256, sha1, size, first_place, first_name)",
      "ON CONFLICT (sha256) DO UPDATE SET first_place = excluded.first_place, first_name = "
      "excluded.first_name WHERE (SELECT run_id || archive FROM archive_first_places WHERE id = "
      "excluded.first_place) < (SELECT run_id || archive FROM archive_first_places WHERE id = "
      "archive_files.first_place)",
      5, values));
  values.clear();
  const std::vector<bool> kept = NodesWhoseBytesAreKept(rows.nodes);
  for (size_t i = 0; i < rows.nodes.size(); ++i) {
    const EncodedNode& n = rows.nodes[i];
    values.insert(values.end(), {B(n.id), Bytes{kept[i] ? n.bytes : std::string()}});
  }
  MV_RETURN_IF_ERROR(InsertMany(c, "INSERT INTO archive_tree_nodes(id, node)",
                                "ON CONFLICT DO NOTHING", 2, values));
  if (rows.stat_cache) {
    const StatCacheDelta& d = *rows.stat_cache;
    if (d.clear_first) {
      const Value params[] = {T(rec.archive)};
      MV_RETURN_IF_ERROR(
          c.Execute("DELETE FROM archive_stat_folders WHERE archive = $1", params).status());
    }
    for (const std::string& path : d.deletes) {
      const Value params[] = {T(rec.archive), T(path)};
      MV_RETURN_IF_ERROR(
          c.Execute("DELETE FROM archive_stat_folders WHERE archive = $1 AND path = $2", params)
              .status());
    }
    std::vector<Value> rows_values;
    rows_values.reserve(d.upserts.size() * 6);
    for (const StatFolderRow& s : d.upserts) {
      rows_values.insert(rows_values.end(), {T(rec.archive), T(s.path), B(s.node), I(s.files),
                                             I(s.bytes), Bytes{s.listing}});
    }
    MV_RETURN_IF_ERROR(InsertMany(
        c, "INSERT INTO archive_stat_folders(archive, path, node, files, bytes, listing)",
        "ON CONFLICT (archive, path) DO UPDATE SET node = excluded.node, files = excluded.files, "
        "bytes = excluded.bytes, listing = excluded.listing",
        6, rows_values));
  }
  return Status::Ok();
}

Result<std::optional<FileIdentity>> Catalog::FileBySha256(const Sha256& sha256) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  std::optional<FileIdentity> found;
  const Value params[] = {B(sha256)};
  MV_RETURN_IF_ERROR(conn->Query(std::string(kSelectFiles) + "WHERE f.sha256 = $1", params,
                                 [&](const db::Row& row) -> Status {
                                   MV_ASSIGN_OR_RETURN(FileIdentity f, ReadFile(row));
                                   found = std::move(f);
                                   return Status::Ok();
                                 }));
  return found;
}

Result<std::vector<std::optional<FileIdentity>>> Catalog::FilesBySha256(
    std::span<const Sha256> sha256s) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  std::vector<std::optional<FileIdentity>> found(sha256s.size());
  const std::string sql = std::string(kSelectFiles) + "WHERE f.sha256 = $1";
  for (size_t i = 0; i < sha256s.size(); ++i) {
    const Value params[] = {B(sha256s[i])};
    MV_RETURN_IF_ERROR(conn->Query(sql, params, [&](const db::Row& row) -> Status {
      MV_ASSIGN_OR_RETURN(FileIdentity f, ReadFile(row));
      found[i] = std::move(f);
      return Status::Ok();
    }));
  }
  return found;
}

Result<std::vector<FileIdentity>> Catalog::FilesBySha1(const Sha1& sha1) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  std::vector<FileIdentity> found;
  const Value params[] = {B(sha1)};
  MV_RETURN_IF_ERROR(conn->Query(std::string(kSelectFiles) + "WHERE f.sha1 = $1 ORDER BY f.sha256",
                                 params, [&](const db::Row& row) -> Status {
                                   MV_ASSIGN_OR_RETURN(FileIdentity f, ReadFile(row));
                                   found.push_back(std::move(f));
                                   return Status::Ok();
                                 }));
  return found;
}

Result<uint64_t> Catalog::CountFiles() {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  uint64_t n = 0;
  MV_RETURN_IF_ERROR(conn->Query("SELECT COUNT(*) FROM archive_files", {}, [&](const db::Row& row) {
    n = static_cast<uint64_t>(row.Int(0));
    return Status::Ok();
  }));
  return n;
}

Result<std::vector<Catalog::ArchiveTotals>> Catalog::Totals() {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  std::vector<ArchiveTotals> out;
  MV_RETURN_IF_ERROR(conn->Query(
      "SELECT archive, COUNT(*), COALESCE(SUM(new_files), 0), COALESCE(SUM(new_bytes), 0) "
      "FROM archive_runs GROUP BY archive ORDER BY archive",
      {}, [&](const db::Row& row) {
        out.push_back({row.Text(0), static_cast<uint64_t>(row.Int(1)),
                       static_cast<uint64_t>(row.Int(2)), static_cast<uint64_t>(row.Int(3))});
        return Status::Ok();
      }));
  return out;
}

Result<std::optional<std::string>> Catalog::GetNode(const Sha256& id) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  std::optional<std::string> node;
  const Value params[] = {B(id)};
  MV_RETURN_IF_ERROR(conn->Query("SELECT node FROM archive_tree_nodes WHERE id = $1", params,
                                 [&](const db::Row& row) {
                                   // Empty: known to be in the store, bytes not kept here.
                                   if (!row.Blob(0).empty()) node = row.Blob(0);
                                   return Status::Ok();
                                 }));
  return node;
}

Result<std::vector<bool>> Catalog::HasNodes(std::span<const Sha256> ids) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  std::vector<bool> has(ids.size(), false);
  for (size_t i = 0; i < ids.size(); ++i) {
    const Value params[] = {B(ids[i])};
    MV_RETURN_IF_ERROR(
        conn->Query("SELECT 1 FROM archive_tree_nodes WHERE id = $1", params, [&](const db::Row&) {
          has[i] = true;
          return Status::Ok();
        }));
  }
  return has;
}

Result<std::vector<StatFolderRow>> Catalog::LoadStatCache(std::string_view archive) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  std::vector<StatFolderRow> rows;
  const Value params[] = {T(archive)};
  MV_RETURN_IF_ERROR(conn->Query(
      "SELECT path, node, files, bytes, listing FROM archive_stat_folders WHERE archive = $1",
      params, [&](const db::Row& row) -> Status {
        StatFolderRow s;
        s.path = row.Text(0);
        MV_ASSIGN_OR_RETURN(s.node, Sha256FromBytes(row.Blob(1), "archive_stat_folders.node"));
        s.files = static_cast<uint64_t>(row.Int(2));
        s.bytes = static_cast<uint64_t>(row.Int(3));
        s.listing = std::string(row.Blob(4));
        rows.push_back(std::move(s));
        return Status::Ok();
      }));
  return rows;
}

Result<std::vector<bool>> Catalog::VerifiedDirs(std::span<const Sha256> ids, bool deep) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  std::vector<bool> verified(ids.size(), false);
  for (size_t i = 0; i < ids.size(); ++i) {
    const Value params[] = {B(ids[i]), int64_t{deep ? 1 : 0}};
    MV_RETURN_IF_ERROR(
        conn->Query("SELECT 1 FROM archive_verified_dirs WHERE id = $1 AND deep >= $2", params,
                    [&](const db::Row&) {
                      verified[i] = true;
                      return Status::Ok();
                    }));
  }
  return verified;
}

Result<std::vector<std::pair<std::string, RunId>>> Catalog::VerifiedRuns(bool deep) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  std::vector<std::pair<std::string, RunId>> runs;
  const Value params[] = {int64_t{deep ? 1 : 0}};
  MV_RETURN_IF_ERROR(
      conn->Query("SELECT archive, run_id FROM archive_verified_runs WHERE deep >= $1", params,
                  [&](const db::Row& row) -> Status {
                    MV_ASSIGN_OR_RETURN(RunId id, RunId::Parse(row.Text(1)));
                    runs.emplace_back(row.Text(0), id);
                    return Status::Ok();
                  }));
  return runs;
}

Status Catalog::RecordVerified(std::span<const std::pair<std::string, RunId>> runs,
                               std::span<const Sha256> dirs, bool deep) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  const Value level = int64_t{deep ? 1 : 0};
  // A deep record is never made shallow again; a deep one upgrades a shallow one.
  const std::string_view on_conflict = deep ? " DO UPDATE SET deep = 1" : " DO NOTHING";
  return db::WithTransaction(*conn, db::TransactionMode::kWrite, [&](db::Connection& c) -> Status {
    std::vector<Value> values;
    values.reserve(runs.size() * 3);
    for (const auto& [archive, run_id] : runs) {
      values.insert(values.end(), {T(archive), run_id.ToString(), level});
    }
    MV_RETURN_IF_ERROR(db::InsertMany(c, "INSERT INTO archive_verified_runs(archive, run_id, deep)",
                                      " ON CONFLICT (archive, run_id)" + std::string(on_conflict),
                                      3, values));
    values.clear();
    values.reserve(dirs.size() * 2);
    for (const Sha256& id : dirs) values.insert(values.end(), {B(id), level});
    return db::InsertMany(c, "INSERT INTO archive_verified_dirs(id, deep)",
                          " ON CONFLICT (id)" + std::string(on_conflict), 2, values);
  });
}

Status Catalog::ForgetVerified() {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  return db::WithTransaction(*conn, db::TransactionMode::kWrite, [&](db::Connection& c) -> Status {
    MV_RETURN_IF_ERROR(c.Execute("DELETE FROM archive_verified_runs").status());
    return c.Execute("DELETE FROM archive_verified_dirs").status();
  });
}

Status Catalog::ClearRebuildable(db::Connection& c) {
  for (std::string_view table :
       {"archive_stat_folders", "archive_tree_nodes", "archive_files", "archive_first_places",
        "archive_runs", "archive_verified_runs", "archive_verified_dirs", "archive_removals",
        "archive_removed_files"}) {
    MV_RETURN_IF_ERROR(c.Execute("DELETE FROM " + std::string(table)).status());
  }
  return Status::Ok();
}

Result<std::vector<Sha256>> Catalog::StatCacheNodes() {
  std::vector<Sha256> out;
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  MV_RETURN_IF_ERROR(
      conn->Query("SELECT DISTINCT node FROM archive_stat_folders", {}, [&](const db::Row& row) {
        MV_ASSIGN_OR_RETURN(Sha256 id, Sha256FromBytes(row.Blob(0), "archive_stat_folders.node"));
        out.push_back(id);
        return Status::Ok();
      }));
  return out;
}

Status Catalog::ForgetObjects(std::span<const Sha256> blobs, std::span<const Sha256> nodes) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  return db::WithTransaction(*conn, db::TransactionMode::kWrite, [&](db::Connection& c) -> Status {
    auto forget = [&](std::span<const Sha256> ids, const std::vector<std::string>& statements) {
      constexpr size_t kBatch = 500;
      for (size_t at = 0; at < ids.size(); at += kBatch) {
        const size_t n = std::min(kBatch, ids.size() - at);
        std::vector<Value> params;
        std::string list;
        for (size_t i = 0; i < n; ++i) {
          params.push_back(B(ids[at + i]));
          list += (i == 0 ? "$" : ", $") + std::to_string(i + 1);
        }
        for (const std::string& statement : statements) {
          MV_RETURN_IF_ERROR(c.Execute(statement + " IN (" + list + ")", params).status());
        }
      }
      return Status::Ok();
    };
    MV_RETURN_IF_ERROR(forget(blobs, {"DELETE FROM archive_files WHERE sha256"}));
    return forget(nodes, {"DELETE FROM archive_tree_nodes WHERE id",
                          "DELETE FROM archive_verified_dirs WHERE id"});
  });
}

Result<bool> Catalog::ForgetRunIn(db::Connection& c, std::string_view archive,
                                  const RunId& run_id) {
  const Value params[] = {T(archive), run_id.ToString()};
  bool latest = true;
  MV_RETURN_IF_ERROR(
      c.Query("SELECT 1 FROM archive_runs WHERE archive = $1 AND run_id > $2 LIMIT 1", params,
              [&](const db::Row&) {
                latest = false;
                return Status::Ok();
              }));
  MV_ASSIGN_OR_RETURN(
      int64_t removed,
      c.Execute("DELETE FROM archive_runs WHERE archive = $1 AND run_id = $2", params));
  MV_RETURN_IF_ERROR(
      c.Execute("DELETE FROM archive_verified_runs WHERE archive = $1 AND run_id = $2", params)
          .status());
  if (removed == 0) return false;
  const Value archive_param[] = {T(archive)};
  if (latest) {
    MV_RETURN_IF_ERROR(
        c.Execute("DELETE FROM archive_stat_folders WHERE archive = $1", archive_param).status());
  }
  MV_RETURN_IF_ERROR(
      c.Execute("UPDATE archive_archives SET run_changes = run_changes + 1 WHERE name = $1",
                archive_param)
          .status());
  return true;
}

Status Catalog::ForgetArchivesWithoutRuns(db::Connection& c) {
  return c
      .Execute(
          "DELETE FROM archive_archives WHERE NOT EXISTS "
          "(SELECT 1 FROM archive_runs r WHERE r.archive = archive_archives.name)")
      .status();
}

}  // namespace mv::archive
