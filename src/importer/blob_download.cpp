#include "importer/blob_download.h"

#include <cstdlib>

#include "store/local_files.h"
#include "util/hash.h"

namespace mv::importer {
namespace {

std::string SpoolDir() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && tmp[0] != '\0' ? tmp : "/tmp";
}

// Files at least this large start their writeback as soon as they are complete.
constexpr uint64_t kEarlyWritebackSize = 256 * 1024;

class BlobAttempt final : public FetchAttempt {
 public:
  BlobAttempt(store::ObjectStore& store, const ExpectedFile& file, DownloadedBlob& out)
      : store_(store), file_(file), out_(out) {}

  Status Open() {
    if (store_.SupportsStaging()) {
      MV_ASSIGN_OR_RETURN(staged_, store_.StageWriter());
      return Status::Ok();
    }
    MV_ASSIGN_OR_RETURN(std::optional<store::local::TempFile> made,
                        store::local::TempFile::CreateUnnamed(SpoolDir()));
    if (!made) {
      MV_ASSIGN_OR_RETURN(store::local::TempFile named, store::local::TempFile::Create(SpoolDir()));
      made.emplace(std::move(named));
    }
    spool_.emplace(std::move(*made));
    return Status::Ok();
  }

  Status Write(std::string_view data) override {
    received_ += data.size();
    if (!file_.size_known && received_ > kMaxUnlistedSize) {
      return Corruption(file_.path + ": the server sent more than " +
                        std::to_string(kMaxUnlistedSize) + " bytes");
    }
    if (file_.size_known && received_ > file_.size) {
      return Unavailable(file_.path + ": the server sent more than the " +
                         std::to_string(file_.size) + " bytes the index lists");
    }
    hasher_.Update(data);
    if (staged_) return staged_->Write(data);
    return WriteAll(spool_->fd().get(), data, spool_shown_);
  }

  Status Finish(const http::Response& response) override {
    if (file_.size_known && received_ != file_.size) {
      return Unavailable(file_.path + ": received " + std::to_string(received_) +
                         " bytes, the index lists " + std::to_string(file_.size));
    }
    Digests d = hasher_.Finish();
    if (d.sha256 != file_.sha256) {
      std::string type(http::FindHeader(response.headers, "content-type").value_or("none"));
      return Corruption(file_.path + ": SHA-256 mismatch: the index lists " +
                        archive::ToHex(file_.sha256) + ", the upstream sent " +
                        archive::ToHex(d.sha256) + " (" + std::to_string(received_) +
                        " bytes, Content-Type " + type + ")");
    }
    out_.sha256 = d.sha256;
    out_.sha1 = d.sha1;
    out_.size = received_;
    const std::string key = archive::BlobKey(out_.sha256);
    // The disk starts on each file as it completes, while the others still arrive: the sync
    // before the commit found 200 MB to flush at the end of a first mirror and took 0.1 s of
    // otherwise idle time; with the head start the whole mirror was 0.53 s instead of 0.65 s
    // (median of 8, docs/benchmarks.md).
    // A small file's early writeback costs more than it saves: a block request of its own per
    // file (~25 us of CPU, 10% of a first mirror of 20,000 small packages, docs/benchmarks.md);
    // the sync before the commit writes those together.
    if (staged_) {
      return staged_->Commit(
          key, {.defer_sync = true, .start_writeback = received_ >= kEarlyWritebackSize});
    }
    return store_.PutFile(key, "/proc/self/fd/" + std::to_string(spool_->fd().get()),
                          {.expected_sha256 = archive::ToHex(d.sha256), .defer_sync = true});
  }

 private:
  store::ObjectStore& store_;
  const ExpectedFile& file_;
  DownloadedBlob& out_;
  std::unique_ptr<store::StagedWriter> staged_;
  std::optional<store::local::TempFile> spool_;
  ContentHasher hasher_;
  uint64_t received_ = 0;
  std::string spool_shown_ = "the spool file of " + file_.path;
};

}  // namespace

Result<DownloadedBlob> DownloadBlob(UpstreamFetcher& fetcher, store::ObjectStore& store,
                                    const ExpectedFile& file) {
  DownloadedBlob out;
  auto begin = [&]() -> Result<std::unique_ptr<FetchAttempt>> {
    auto attempt = std::make_unique<BlobAttempt>(store, file, out);
    MV_RETURN_IF_ERROR(attempt->Open());
    return std::unique_ptr<FetchAttempt>(std::move(attempt));
  };
  MV_RETURN_IF_ERROR(fetcher.GetStreamed(file.path, begin));
  return out;
}

}  // namespace mv::importer
