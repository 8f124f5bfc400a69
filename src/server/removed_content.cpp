#include "server/removed_content.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "server/html.h"

namespace mv::server {

Status RemovedContent::RefreshIfDue() {
  const auto now = clock_.SteadyNow();
  if (checked_ && now - *checked_ < recheck_) return Status::Ok();
  MV_ASSIGN_OR_RETURN(uint64_t count, catalog_.CountRemovals());
  if (!checked_ || count != count_) {
    MV_ASSIGN_OR_RETURN(std::vector<archive::Removal> removals, catalog_.ListRemovals());
    std::unordered_map<std::string, std::string> by_hash;
    for (const archive::Removal& r : removals) {
      for (const archive::RemovedFile& f : r.files) {
        by_hash.emplace(archive::ToHex(f.sha256), r.id);
        by_hash.emplace(archive::ToHex(f.sha1), r.id);
      }
    }
    by_hash_ = std::move(by_hash);
    count_ = count;
  }
  checked_ = now;
  return Status::Ok();
}

Result<std::optional<std::string>> RemovedContent::Find(std::string_view hash_hex) {
  util::MutexLock lock(mu_);
  MV_RETURN_IF_ERROR(RefreshIfDue());
  auto it = by_hash_.find(std::string(hash_hex));
  if (it == by_hash_.end()) return std::optional<std::string>();
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
