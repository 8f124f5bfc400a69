// The catalog's removals (archive_removals, archive_removed_files): what archive/removal.h's
// records say, indexed by either hash.
#include "archive/catalog.h"
#include "db/insert_many.h"

namespace mv::archive {
namespace {

using db::Bytes;
using db::Value;

Value B(std::string_view raw) { return Bytes{std::string(raw)}; }

Result<std::vector<Removal>> ReadRemovals(db::Connection& conn, std::string_view where,
                                          std::span<const Value> params) {
  std::vector<Removal> out;
  MV_RETURN_IF_ERROR(conn.Query(
      "SELECT id, record FROM archive_removals " + std::string(where) + " ORDER BY id", params,
      [&](const db::Row& row) -> Status {
        MV_ASSIGN_OR_RETURN(Removal r, ParseRemoval(row.Text(1), "catalog removal " + row.Text(0)));
        out.push_back(std::move(r));
        return Status::Ok();
      }));
  return out;
}

Result<std::optional<std::string>> OneText(db::Database& database, std::string_view sql,
                                           std::span<const Value> params) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database.Acquire());
  std::optional<std::string> found;
  MV_RETURN_IF_ERROR(conn->Query(sql, params, [&](const db::Row& row) {
    found = row.Text(0);
    return Status::Ok();
  }));
  return found;
}

}  // namespace

Status Catalog::RecordRemovalIn(db::Connection& c, const Removal& removal) {
  const Value head[] = {removal.id, EncodeRemoval(removal)};
  MV_RETURN_IF_ERROR(c.Execute("INSERT INTO archive_removals(id, record) VALUES ($1, $2) "
                               "ON CONFLICT (id) DO NOTHING",
                               head)
                         .status());
  std::vector<Value> values;
  values.reserve(removal.files.size() * 3);
  for (const RemovedFile& f : removal.files) {
    values.insert(values.end(), {B(AsBytes(f.sha256)), B(AsBytes(f.sha1)), removal.id});
  }
  return db::InsertMany(c, "INSERT INTO archive_removed_files(sha256, sha1, removal_id)",
                        " ON CONFLICT (sha256) DO NOTHING", 3, values);
}

Status Catalog::RecordRemoval(const Removal& removal) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  return db::WithTransaction(*conn, db::TransactionMode::kWrite,
                             [&](db::Connection& c) { return RecordRemovalIn(c, removal); });
}

Result<std::vector<Removal>> Catalog::ListRemovals() {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  return ReadRemovals(*conn, "", {});
}

Result<std::set<std::string>> Catalog::RemovalIds() {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  std::set<std::string> ids;
  MV_RETURN_IF_ERROR(conn->Query("SELECT id FROM archive_removals", {}, [&](const db::Row& row) {
    ids.insert(row.Text(0));
    return Status::Ok();
  }));
  return ids;
}

Result<std::vector<Sha256>> Catalog::RemovedContents() {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  std::vector<Sha256> out;
  MV_RETURN_IF_ERROR(conn->Query("SELECT sha256 FROM archive_removed_files ORDER BY sha256", {},
                                 [&](const db::Row& row) {
                                   MV_ASSIGN_OR_RETURN(Sha256 sha, Sha256FromBytes(row.Blob(0)));
                                   out.push_back(sha);
                                   return Status::Ok();
                                 }));
  return out;
}

Result<std::vector<Removal>> Catalog::ListUnfinishedRemovals() {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  return ReadRemovals(*conn, "WHERE finished_ms IS NULL", {});
}

Status Catalog::MarkRemovalsFinished(std::span<const std::string> ids, int64_t when_ms) {
  if (ids.empty()) return Status::Ok();
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  return db::WithTransaction(*conn, db::TransactionMode::kWrite, [&](db::Connection& c) {
    for (const std::string& id : ids) {
      const Value params[] = {when_ms, id};
      MV_RETURN_IF_ERROR(
          c.Execute("UPDATE archive_removals SET finished_ms = $1 WHERE id = $2", params).status());
    }
    return Status::Ok();
  });
}

Result<std::optional<Removal>> Catalog::GetRemoval(std::string_view id) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  const Value params[] = {std::string(id)};
  MV_ASSIGN_OR_RETURN(std::vector<Removal> found, ReadRemovals(*conn, "WHERE id = $1", params));
  if (found.empty()) return std::optional<Removal>();
  return std::optional<Removal>(std::move(found.front()));
}

Result<std::optional<std::string>> Catalog::RemovalOf(const Sha256& sha256) {
  const Value params[] = {B(AsBytes(sha256))};
  return OneText(*database_, "SELECT removal_id FROM archive_removed_files WHERE sha256 = $1",
                 params);
}

Result<std::optional<std::string>> Catalog::RemovalOfSha1(const Sha1& sha1) {
  const Value params[] = {B(AsBytes(sha1))};
  return OneText(*database_,
                 "SELECT MIN(removal_id) FROM archive_removed_files WHERE sha1 = $1 "
                 "HAVING COUNT(*) > 0",
                 params);
}

Result<uint64_t> Catalog::CountRemovals() {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  uint64_t n = 0;
  MV_RETURN_IF_ERROR(
      conn->Query("SELECT COUNT(*) FROM archive_removals", {}, [&](const db::Row& row) {
        n = static_cast<uint64_t>(row.Int(0));
        return Status::Ok();
      }));
  return n;
}

}  // namespace mv::archive
