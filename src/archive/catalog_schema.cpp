#include "archive/catalog_schema.h"

namespace mv::archive {
namespace {

// Hashes are raw bytes (32 for SHA-256, 20 for SHA-1); times are run ids (text that sorts in
// time order) or Unix milliseconds. PostgreSQL compares text with the "C" collation so that
// ordering is by bytes, as on SQLite.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE archive_archives (
  name {{text}} PRIMARY KEY
){{without_rowid}};
CREATE TABLE archive_runs (
  archive {{text}} NOT NULL REFERENCES archive_archives(name),
  run_id {{text}} NOT NULL,
  root {{bytes}} NOT NULL,
  parent {{text}},
  files BIGINT NOT NULL,
  bytes BIGINT NOT NULL,
  new_files BIGINT NOT NULL,
  new_bytes BIGINT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (archive, run_id)
){{without_rowid}};
CREATE TABLE archive_files (
  sha256 {{bytes}} PRIMARY KEY,
  sha1 {{bytes}} NOT NULL,
  size BIGINT NOT NULL,
  first_archive {{text}} NOT NULL,
  first_run {{text}} NOT NULL,
  first_path {{text}} NOT NULL
){{without_rowid}};
CREATE INDEX archive_files_sha1 ON archive_files(sha1);
CREATE TABLE archive_tree_nodes (
  id {{bytes}} PRIMARY KEY,
  node {{bytes}} NOT NULL
){{without_rowid}};
CREATE TABLE archive_stat_cache (
  archive {{text}} NOT NULL,
  path {{text}} NOT NULL,
  size BIGINT NOT NULL,
  mtime_ns BIGINT NOT NULL,
  ctime_ns BIGINT NOT NULL,
  inode BIGINT NOT NULL,
  device BIGINT NOT NULL,
  sha256 {{bytes}} NOT NULL,
  sha1 {{bytes}} NOT NULL,
  PRIMARY KEY (archive, path)
){{without_rowid}};
CREATE TABLE archive_locks (
  archive {{text}} PRIMARY KEY,
  owner TEXT NOT NULL,
  acquired_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL
){{without_rowid}};
)sql";

// The stat cache by folder (importer/folder_stats.h): one row per folder of the last import, with
// the folder's tree node, its totals and its entries' stat fields packed, instead of one row per
// file (a third of the catalog at a million files). The old rows are dropped: the next import of
// each archive reads its files once more.
constexpr std::string_view kV2 = R"sql(
DROP TABLE archive_stat_cache;
CREATE TABLE archive_stat_folders (
  archive {{text}} NOT NULL,
  path {{text}} NOT NULL,
  node {{bytes}} NOT NULL,
  files BIGINT NOT NULL,
  bytes BIGINT NOT NULL,
  listing {{bytes}} NOT NULL,
  PRIMARY KEY (archive, path)
){{without_rowid}};
)sql";

constexpr db::Migration kMigrations[] = {
    {.version = 1,
     .description = "archives, runs, file identities, tree-node cache, stat cache, writer locks",
     .sql = kV1},
    {.version = 2, .description = "the stat cache by folder", .sql = kV2},
};

}  // namespace

std::span<const db::Migration> ArchiveMigrations() { return kMigrations; }

}  // namespace mv::archive
