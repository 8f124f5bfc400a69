#include "importer/suite_release.h"

#include <future>

#include "apt/signature.h"
#include "util/log.h"
#include "util/strings.h"

namespace mv::importer {
namespace {

constexpr uint64_t kMaxReleaseBytes = 64ull << 20;

}  // namespace

Result<SuiteRelease> FetchSuiteRelease(UpstreamFetcher& fetcher, const std::string& dists,
                                       const std::string& where, const std::string& keyring,
                                       bool no_verify) {
  SuiteRelease out;
  // The three are asked for at once, and Release.gpg checked while InRelease is.
  auto get = [&](std::string name) {
    return std::async(std::launch::async, [&fetcher, path = dists + name] {
      return fetcher.GetBytes(path, kMaxReleaseBytes);
    });
  };
  auto inrelease_f = get("InRelease");
  auto release_f = get("Release");
  auto detached_f = get("Release.gpg");
  Result<std::string> inrelease = inrelease_f.get();
  Result<std::string> release = release_f.get();
  Result<std::string> detached = detached_f.get();
  for (const Result<std::string>* r : {&inrelease, &release, &detached}) {
    if (!r->ok() && !r->status().IsNotFound()) return r->status().WithContext(where);
  }
  const std::string shown_in = fetcher.Url(dists + "InRelease");
  const std::string shown_rel = fetcher.Url(dists + "Release");
  std::future<bool> detached_good;
  if (inrelease.ok() && release.ok() && detached.ok() && !no_verify) {
    detached_good = std::async(std::launch::async, [&] {
      return apt::VerifyDetachedRelease(*release, *detached, keyring, shown_rel).ok();
    });
  }
  bool release_matches = false;
  if (inrelease.ok()) {
    if (no_verify) {
      MV_ASSIGN_OR_RETURN(out.text, apt::ClearsignedText(*inrelease, shown_in));
      out.signed_by = "unverified";
    } else {
      MV_ASSIGN_OR_RETURN(apt::VerifiedRelease v,
                          apt::VerifyInRelease(*inrelease, keyring, shown_in));
      out.text = std::move(v.text);
      out.signed_by = Join(v.fingerprints);
    }
    out.files["InRelease"] = *inrelease;
    // Release and Release.gpg are kept beside it when they are the same Release, signed.
    release_matches = release.ok() && *release == out.text;
    if (release.ok() && !release_matches) {
      LogWarn("Release differs from the text of InRelease; only InRelease is kept",
              {{"where", where}});
    }
  } else {
    if (!release.ok()) {
      return NotFound(where + ": the upstream has neither " + shown_in + " nor " + shown_rel);
    }
    if (!no_verify) {
      if (!detached.ok()) {
        return InvalidArgument(
            where + ": " + shown_rel + " has no signature (no InRelease, no " +
            "Release.gpg); mirror it unverified with --no-verify (no_verify = true in "
            "the archive's configuration)");
      }
      MV_ASSIGN_OR_RETURN(apt::VerifiedRelease v,
                          apt::VerifyDetachedRelease(*release, *detached, keyring, shown_rel));
      out.signed_by = Join(v.fingerprints);
    } else {
      out.signed_by = "unverified";
    }
    out.text = *release;
    release_matches = true;
  }
  if (release_matches) {
    out.files["Release"] = *release;
    if (detached.ok()) {
      bool good = no_verify ||
                  (detached_good.valid()
                       ? detached_good.get()
                       : apt::VerifyDetachedRelease(*release, *detached, keyring, shown_rel).ok());
      if (good) {
        out.files["Release.gpg"] = *detached;
      } else {
        LogWarn("Release.gpg does not verify; left out of the run", {{"where", where}});
      }
    }
  }
  return out;
}

Status CheckReleaseFreshness(const apt::Release& release, const std::string& suite,
                             const std::string& where,
                             const std::optional<archive::RunRow>& previous, Clock& clock) {
  if (!release.valid_until.empty()) {
    MV_ASSIGN_OR_RETURN(auto until, apt::ParseReleaseDate(release.valid_until));
    if (until < clock.Now()) {
      return InvalidArgument(where + ": the Release expired (Valid-Until: " + release.valid_until +
                             "); the upstream is stale or replayed");
    }
  }
  if (!previous || release.date.empty()) return Status::Ok();
  Result<archive::RunRecord> record =
      archive::ParseRunRecord(previous->record, "the previous run's record");
  if (!record.ok()) return Status::Ok();
  auto date = record->source.details.find("release_date/" + suite);
  if (date == record->source.details.end() || date->second.empty()) return Status::Ok();
  MV_ASSIGN_OR_RETURN(auto now_date, apt::ParseReleaseDate(release.date));
  Result<std::chrono::system_clock::time_point> then = apt::ParseReleaseDate(date->second);
  if (then.ok() && now_date < *then) {
    return InvalidArgument(where + ": the Release is older (Date: " + release.date +
                           ") than the one run " + previous->run_id.ToString() +
                           " mirrored (Date: " + date->second +
                           "); the upstream went back in time or is replayed");
  }
  return Status::Ok();
}

}  // namespace mv::importer
