#include "pkgindex/schema.h"

namespace mv::pkgindex {
namespace {

// Packages and their files are shared by every archive and run (as on snapshot.debian.org);
// pkg_presence says where and when each was seen: one row per stretch of consecutive indexed
// runs of an archive in which (suite, component, architecture, name, version) was present.
// last_run is NULL while the stretch is open (present in the archive's latest indexed run).
// Hashes are raw bytes; run ids are text that sorts in time order.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE pkg_sources (
  id {{id}},
  name {{text}} NOT NULL,
  version {{text}} NOT NULL,
  UNIQUE (name, version)
);
CREATE TABLE pkg_source_files (
  source_id BIGINT NOT NULL REFERENCES pkg_sources(id),
  sha256 {{bytes}} NOT NULL,
  path {{text}} NOT NULL,
  size BIGINT NOT NULL,
  PRIMARY KEY (source_id, sha256, path)
){{without_rowid}};
CREATE INDEX pkg_source_files_sha256 ON pkg_source_files(sha256);
CREATE TABLE pkg_binaries (
  id {{id}},
  name {{text}} NOT NULL,
  version {{text}} NOT NULL,
  source {{text}} NOT NULL,
  source_version {{text}} NOT NULL,
  UNIQUE (name, version, source, source_version)
);
CREATE INDEX pkg_binaries_source ON pkg_binaries(source, source_version);
CREATE TABLE pkg_binary_files (
  binary_id BIGINT NOT NULL REFERENCES pkg_binaries(id),
  architecture {{text}} NOT NULL,
  sha256 {{bytes}} NOT NULL,
  path {{text}} NOT NULL,
  size BIGINT NOT NULL,
  PRIMARY KEY (binary_id, architecture, sha256, path)
){{without_rowid}};
CREATE INDEX pkg_binary_files_sha256 ON pkg_binary_files(sha256);
CREATE TABLE pkg_presence (
  archive {{text}} NOT NULL,
  suite {{text}} NOT NULL,
  component {{text}} NOT NULL,
  architecture {{text}} NOT NULL,
  name {{text}} NOT NULL,
  version {{text}} NOT NULL,
  first_run {{text}} NOT NULL,
  last_run {{text}},
  PRIMARY KEY (archive, suite, component, architecture, name, version, first_run)
){{without_rowid}};
CREATE INDEX pkg_presence_name ON pkg_presence(name, version);
CREATE INDEX pkg_presence_open ON pkg_presence(archive, last_run);
CREATE TABLE pkg_indexed_runs (
  archive {{text}} NOT NULL,
  run_id {{text}} NOT NULL,
  PRIMARY KEY (archive, run_id)
){{without_rowid}};
)sql";

// A source package for every binary's Source: (version 1 knew only the sources of Sources
// indexes, so a binary-only mirror's binaries named sources no route knew). One pass over
// pkg_binaries; "WHERE true" keeps SQLite from reading ON CONFLICT as a join's ON.
constexpr std::string_view kV2 = R"sql(
INSERT INTO pkg_sources(name, version)
  SELECT DISTINCT source, source_version FROM pkg_binaries WHERE true
  ON CONFLICT (name, version) DO NOTHING;
)sql";

// The open stretches of one index (suite, component, architecture): what a run whose index of
// that scope changed compares its packages with, without reading the archive's other indexes.
constexpr std::string_view kV3 = R"sql(
CREATE INDEX pkg_presence_open_scope ON pkg_presence(archive, suite, component, architecture)
  WHERE last_run IS NULL;
)sql";

constexpr db::Migration kMigrations[] = {
    {.version = 1,
     .description = "package index: sources, binaries, their files, presence per run",
     .sql = kV1},
    {.version = 2,
     .description = "package index: the source package every binary names, Sources or not",
     .sql = kV2},
    {.version = 3,
     .description = "package index: open stretches by index, for runs read index by index",
     .sql = kV3},
};

}  // namespace

std::span<const db::Migration> PackageIndexMigrations() { return kMigrations; }

}  // namespace mv::pkgindex
