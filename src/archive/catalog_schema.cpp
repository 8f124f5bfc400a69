#include "archive/catalog_schema.h"

namespace mv::archive {
namespace {

// Hashes are raw bytes (32 for SHA-256, 20 for SHA-1); times are run ids (text that sorts in
// time order) or Unix milliseconds. PostgreSQL compares text with the "C" collation so that
// ordering is by bytes, as on SQLite.
constexpr std::string_view kV1Sqlite = R"sql(
CREATE TABLE archive_archives (
  name TEXT PRIMARY KEY
) WITHOUT ROWID;
CREATE TABLE archive_runs (
  archive TEXT NOT NULL REFERENCES archive_archives(name),
  run_id TEXT NOT NULL,
  root BLOB NOT NULL,
  parent TEXT,
  files BIGINT NOT NULL,
  bytes BIGINT NOT NULL,
  new_files BIGINT NOT NULL,
  new_bytes BIGINT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (archive, run_id)
) WITHOUT ROWID;
CREATE TABLE archive_files (
  sha256 BLOB PRIMARY KEY,
  sha1 BLOB NOT NULL,
  size BIGINT NOT NULL,
  first_archive TEXT NOT NULL,
  first_run TEXT NOT NULL,
  first_path TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX archive_files_sha1 ON archive_files(sha1);
CREATE TABLE archive_tree_nodes (
  id BLOB PRIMARY KEY,
  node BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE archive_stat_cache (
  archive TEXT NOT NULL,
  path TEXT NOT NULL,
  size BIGINT NOT NULL,
  mtime_ns BIGINT NOT NULL,
  ctime_ns BIGINT NOT NULL,
  inode BIGINT NOT NULL,
  device BIGINT NOT NULL,
  sha256 BLOB NOT NULL,
  sha1 BLOB NOT NULL,
  PRIMARY KEY (archive, path)
) WITHOUT ROWID;
CREATE TABLE archive_locks (
  archive TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  acquired_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL
) WITHOUT ROWID;
)sql";

constexpr std::string_view kV1Postgres = R"sql(
CREATE TABLE archive_archives (
  name TEXT COLLATE "C" PRIMARY KEY
);
CREATE TABLE archive_runs (
  archive TEXT COLLATE "C" NOT NULL REFERENCES archive_archives(name),
  run_id TEXT COLLATE "C" NOT NULL,
  root BYTEA NOT NULL,
  parent TEXT COLLATE "C",
  files BIGINT NOT NULL,
  bytes BIGINT NOT NULL,
  new_files BIGINT NOT NULL,
  new_bytes BIGINT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (archive, run_id)
);
CREATE TABLE archive_files (
  sha256 BYTEA PRIMARY KEY,
  sha1 BYTEA NOT NULL,
  size BIGINT NOT NULL,
  first_archive TEXT COLLATE "C" NOT NULL,
  first_run TEXT COLLATE "C" NOT NULL,
  first_path TEXT COLLATE "C" NOT NULL
);
CREATE INDEX archive_files_sha1 ON archive_files(sha1);
CREATE TABLE archive_tree_nodes (
  id BYTEA PRIMARY KEY,
  node BYTEA NOT NULL
);
CREATE TABLE archive_stat_cache (
  archive TEXT COLLATE "C" NOT NULL,
  path TEXT COLLATE "C" NOT NULL,
  size BIGINT NOT NULL,
  mtime_ns BIGINT NOT NULL,
  ctime_ns BIGINT NOT NULL,
  inode BIGINT NOT NULL,
  device BIGINT NOT NULL,
  sha256 BYTEA NOT NULL,
  sha1 BYTEA NOT NULL,
  PRIMARY KEY (archive, path)
);
CREATE TABLE archive_locks (
  archive TEXT COLLATE "C" PRIMARY KEY,
  owner TEXT NOT NULL,
  acquired_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL
);
)sql";

constexpr db::Migration kMigrations[] = {
    {.version = 1,
     .description = "archives, runs, file identities, tree-node cache, stat cache, writer locks",
     .sqlite_sql = kV1Sqlite,
     .postgres_sql = kV1Postgres},
};

}  // namespace

std::span<const db::Migration> ArchiveMigrations() { return kMigrations; }

}  // namespace mv::archive
