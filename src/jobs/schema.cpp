#include "jobs/schema.h"

namespace mv::jobs {
namespace {

// The one-active-job rule is the partial unique index jobs_one_active: a second active job of an
// archive and kind cannot be inserted, whoever tries.
#define MV_JOBS_TABLES(ID, TEXT)                                           \
  "CREATE TABLE jobs_jobs (\n"                                             \
  "  id " ID                                                               \
  ",\n"                                                                    \
  "  kind " TEXT                                                           \
  " NOT NULL,\n"                                                           \
  "  archive " TEXT                                                        \
  " NOT NULL,\n"                                                           \
  "  payload TEXT NOT NULL,\n"                                             \
  "  state " TEXT                                                          \
  " NOT NULL CHECK (state IN ('scheduled', 'available', 'running', "       \
  "'succeeded', 'retryable', 'failed', 'cancelled')),\n"                   \
  "  attempt INTEGER NOT NULL DEFAULT 0,\n"                                \
  "  max_attempts INTEGER NOT NULL,\n"                                     \
  "  rescues INTEGER NOT NULL DEFAULT 0,\n"                                \
  "  created_ms BIGINT NOT NULL,\n"                                        \
  "  run_after_ms BIGINT NOT NULL,\n"                                      \
  "  started_ms BIGINT,\n"                                                 \
  "  finished_ms BIGINT,\n"                                                \
  "  lease_holder TEXT,\n"                                                 \
  "  lease_expires_ms BIGINT,\n"                                           \
  "  origin TEXT NOT NULL,\n"                                              \
  "  host " TEXT                                                           \
  " NOT NULL DEFAULT '',\n"                                                \
  "  result TEXT NOT NULL DEFAULT '',\n"                                   \
  "  error_class TEXT NOT NULL DEFAULT '',\n"                              \
  "  error_message TEXT NOT NULL DEFAULT ''\n"                             \
  ");\n"                                                                   \
  "CREATE UNIQUE INDEX jobs_one_active ON jobs_jobs(archive, kind)\n"      \
  "  WHERE state IN ('scheduled', 'available', 'running', 'retryable');\n" \
  "CREATE INDEX jobs_by_state ON jobs_jobs(state, run_after_ms);\n"        \
  "CREATE INDEX jobs_by_archive ON jobs_jobs(archive, id);\n"              \
  "CREATE TABLE jobs_errors (\n"                                           \
  "  job_id BIGINT NOT NULL REFERENCES jobs_jobs(id) ON DELETE CASCADE,\n" \
  "  attempt INTEGER NOT NULL,\n"                                          \
  "  at_ms BIGINT NOT NULL,\n"                                             \
  "  class " TEXT                                                          \
  " NOT NULL,\n"                                                           \
  "  message TEXT NOT NULL,\n"                                             \
  "  PRIMARY KEY (job_id, attempt)\n"                                      \
  ");\n"                                                                   \
  "CREATE TABLE jobs_archives (\n"                                         \
  "  archive " TEXT                                                        \
  " PRIMARY KEY,\n"                                                        \
  "  paused INTEGER NOT NULL DEFAULT 0,\n"                                 \
  "  paused_by TEXT NOT NULL DEFAULT '',\n"                                \
  "  next_tick_ms BIGINT NOT NULL DEFAULT 0,\n"                            \
  "  last_success_ms BIGINT,\n"                                            \
  "  last_failure_ms BIGINT\n"                                             \
  ");\n"                                                                   \
  "CREATE TABLE jobs_breakers (\n"                                         \
  "  host " TEXT                                                           \
  " PRIMARY KEY,\n"                                                        \
  "  failures INTEGER NOT NULL,\n"                                         \
  "  open_until_ms BIGINT NOT NULL\n"                                      \
  ");\n"                                                                   \
  "CREATE TABLE jobs_baseline (\n"                                         \
  "  day " TEXT                                                            \
  " PRIMARY KEY,\n"                                                        \
  "  failed_archives INTEGER NOT NULL,\n"                                  \
  "  recorded_ms BIGINT NOT NULL\n"                                        \
  ");\n"                                                                   \
  "CREATE TABLE jobs_audit (\n"                                            \
  "  id " ID                                                               \
  ",\n"                                                                    \
  "  at_ms BIGINT NOT NULL,\n"                                             \
  "  who TEXT NOT NULL,\n"                                                 \
  "  action TEXT NOT NULL,\n"                                              \
  "  target TEXT NOT NULL,\n"                                              \
  "  detail TEXT NOT NULL\n"                                               \
  ");\n"

constexpr std::string_view kV1Sqlite = MV_JOBS_TABLES("INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT");
constexpr std::string_view kV1Postgres =
    MV_JOBS_TABLES("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "TEXT COLLATE \"C\"");

#undef MV_JOBS_TABLES

// The claim walks this index in (run_after, id) order and stops at the first claimable job, so
// a claim costs the same with ten jobs waiting or a hundred thousand finished.
constexpr std::string_view kV2 =
    "CREATE INDEX jobs_claimable ON jobs_jobs(run_after_ms, id)\n"
    "  WHERE state IN ('scheduled', 'available', 'retryable');\n";

constexpr db::Migration kMigrations[] = {
    {1, "jobs queue, errors, archives, breakers, baseline, audit", kV1Sqlite, kV1Postgres},
    {2, "jobs: an index of claimable jobs in claim order", kV2},
};

}  // namespace

std::span<const db::Migration> JobsMigrations() { return kMigrations; }

}  // namespace mv::jobs
