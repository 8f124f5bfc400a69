# shellcheck shell=bash
# Sourced by the shell tests that run against a SQLite or PostgreSQL catalog.
#
# mv_new_catalog sqlite|pg DIR NAME: prints a fresh catalog URL: sqlite://DIR/NAME.db, or a new
# PostgreSQL database NAME owned by the test role (the MV_TEST_POSTGRES_* environment of
# scripts/test-services must be set). Exits 1 when the database cannot be made.
# mv_drop_catalogs NAME...: drops those PostgreSQL databases (for an EXIT trap; quiet, never fails).
mv_new_catalog() {
  if [ "$1" = pg ]; then
    local user=${MV_TEST_POSTGRES_URL#*://}
    user=${user%%[:@]*}
    psql -X -q "$MV_TEST_POSTGRES_ADMIN_URL" -c "CREATE DATABASE $3 OWNER $user" >/dev/null ||
      { echo "FAIL create database $3" >&2; exit 1; }
    echo "${MV_TEST_POSTGRES_URL%/*}/$3"
  else
    echo "sqlite://$2/$3.db"
  fi
}
mv_drop_catalogs() {
  local db
  for db in "$@"; do
    psql -X -q "$MV_TEST_POSTGRES_ADMIN_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" \
      >/dev/null 2>&1
  done
  return 0
}
