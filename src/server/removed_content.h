// What removals withdrew (archive/removal.h), as a server answers it: every route that would
// serve a removed content answers 451 Unavailable For Legal Reasons (RFC 7725) with a link to
// /removal/<id>. The removals are few (snapshot.debian.org has hundreds over twenty years), so
// they are held in memory; the catalog's count of removals is asked at most once a `recheck`,
// and the set read again when it moved, so a removal made by `mirrorvault remove` reaches a
// running server within that time (its blobs are gone from the store by then anyway).
//
// A lookup takes no lock: the set is an immutable snapshot behind an atomic shared_ptr. When a
// recheck is due, one request does it (the others go on with the snapshot they have); only the
// very first lookup waits for the first read.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "archive/catalog.h"
#include "httpd/http_message.h"
#include "util/clock.h"
#include "util/mutex.h"
#include "util/status.h"

namespace mv::server {

class RemovedContent {
 public:
  RemovedContent(archive::Catalog& catalog, Clock& clock,
                 std::chrono::milliseconds recheck = std::chrono::seconds(1))
      : catalog_(catalog), clock_(clock), recheck_(recheck) {}

  // The id of the removal that withdrew the content `hash` names: a SHA-256 or SHA-1 in hex.
  Result<std::optional<std::string>> Find(std::string_view hash_hex) EXCLUDES(refresh_mu_);
  Result<std::optional<std::string>> Find(const archive::Sha256& sha256) EXCLUDES(refresh_mu_);

 private:
  struct Snapshot {
    uint64_t count = 0;
    std::unordered_map<std::string, std::string> by_hash;  // hex -> removal id
  };
  // The snapshot to answer from, refreshed first when a recheck is due and no other request is
  // refreshing it.
  Result<std::shared_ptr<const Snapshot>> Current() EXCLUDES(refresh_mu_);
  Status Refresh() REQUIRES(refresh_mu_);
  int64_t NowNs();

  archive::Catalog& catalog_;
  Clock& clock_;
  const std::chrono::milliseconds recheck_;
  util::Mutex refresh_mu_;  // one refresher at a time
  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
  std::atomic<int64_t> checked_ns_{0};  // the steady clock at the last check
};

// The 451 answer for a content `removal_id` withdrew: a Link to /removal/<id> (rel="blocked-by"),
// as JSON ({"error", "removal"}) when `json`, else a short HTML page.
httpd::Response WithdrawnResponse(const std::string& removal_id, bool json);

}  // namespace mv::server
