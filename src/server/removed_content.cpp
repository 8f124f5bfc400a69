#include "server/removed_content.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "server/html.h"

namespace mv::server {

using std::chrono_literals::operator""ns;

int64_t RemovedContent::NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.SteadyNow().time_since_epoch())
      .count();
}

Status RemovedContent::Refresh() {
  const int64_t now = NowNs();
  std::shared_ptr<const Snapshot> old = snapshot_.load(std::memory_order_acquire);
  // Another request may have refreshed it while this one waited.
  if (old && now - checked_ns_.load(std::memory_order_relaxed) < recheck_ / 1ns) {
    return Status::Ok();
  }
  MV_ASSIGN_OR_RETURN(uint64_t count, catalog_.CountRemovals());
  if (!old || count != old->count) {
    MV_ASSIGN_OR_RETURN(std::vector<archive::Removal> removals, catalog_.ListRemovals());
    auto next = std::make_shared<Snapshot>();
    next->count = count;
    for (const archive::Removal& r : removals) {
      for (const archive::RemovedFile& f : r.files) {
        next->by_hash.emplace(archive::ToHex(f.sha256), r.id);
        next->by_hash.emplace(archive::ToHex(f.sha1), r.id);
      }
    }
    snapshot_.store(std::move(next), std::memory_order_release);
  }
  checked_ns_.store(now, std::memory_order_relaxed);
  return Status::Ok();
}

Result<std::shared_ptr<const RemovedContent::Snapshot>> RemovedContent::Current() {
  std::shared_ptr<const Snapshot> snap = snapshot_.load(std::memory_order_acquire);
  if (snap && NowNs() - checked_ns_.load(std::memory_order_relaxed) < recheck_ / 1ns) {
    return snap;
  }
  if (!snap) {  // the first lookup: nothing to answer from yet
    util::MutexLock lock(refresh_mu_);
    MV_RETURN_IF_ERROR(Refresh());
  } else if (refresh_mu_.try_lock()) {  // due: this request refreshes, the others go on
    Status st = Refresh();
    refresh_mu_.unlock();
    MV_RETURN_IF_ERROR(st);
  }
  return snapshot_.load(std::memory_order_acquire);
}

Result<std::optional<std::string>> RemovedContent::Find(std::string_view hash_hex) {
  MV_ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> snap, Current());
  auto it = snap->by_hash.find(std::string(hash_hex));
  if (it == snap->by_hash.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Result<std::optional<std::string>> RemovedContent::Find(const archive::Sha256& sha256) {
  return Find(archive::ToHex(sha256));
}

httpd::Response WithdrawnResponse(const std::string& removal_id, bool json) {
  const std::string url = "/removal/" + removal_id;
  const std::string message =
      "this file was withdrawn for legal reasons by removal " + removal_id + " (" + url + ")";
  httpd::Response r;
  if (json) {
    r = httpd::JsonResponse(451, boost::json::serialize(boost::json::object{
                                     {"error", message}, {"removal", removal_id}, {"url", url}}));
  } else {
    r = httpd::HtmlResponse(
        451, HtmlPage("Unavailable for legal reasons", {{"Home", "/"}, {"Removals", "/removal/"}},
                      "<p>This file was withdrawn for legal reasons: see <a href=\"" +
                          HtmlEscape(url) + "\">removal " + HtmlEscape(removal_id) + "</a>.</p>"));
  }
  r.Set("Link", "<" + url + ">; rel=\"blocked-by\"");
  r.Set("Cache-Control", "public, max-age=300");
  r.route = "withdrawn";
  return r;
}

}  // namespace mv::server
