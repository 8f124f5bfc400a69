# Sourced by shell tests that run apt-get against a repository, isolated from the machine's apt:
# its own sources list, state, cache and status file under $aptdir (which the caller sets).
#
# apt_setup URL KEYRING [SUITE]: a fresh state whose one source is "deb [signed-by=KEYRING] URL SUITE main"
# apt_run COMMAND...: apt-get in that state (by-hash forced; downloads land in $aptdir/dl)
apt_setup() {
  rm -rf "$aptdir"
  mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$aptdir/dl"
  : >"$aptdir/status"
  echo "deb [signed-by=$2] $1 ${3:-bookworm} main" >"$aptdir/sources.list"
}
apt_run() {
  (cd "$aptdir/dl" && apt-get -q -o Dir::Etc::sourcelist="$aptdir/sources.list" -o Dir::Etc::sourceparts=- \
    -o Dir::State="$aptdir" -o Dir::State::Lists="$aptdir/lists" -o Dir::State::status="$aptdir/status" \
    -o Dir::Cache="$aptdir/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root \
    -o Acquire::By-Hash=force -o Acquire::Languages=none -o APT::Architecture=amd64 "$@")
}
