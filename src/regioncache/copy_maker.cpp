#include "regioncache/copy_maker.h"

#include <fcntl.h>
#include <stdlib.h>

#include <filesystem>
#include <optional>

#include "util/io.h"

namespace mv::regioncache {

namespace fs = std::filesystem;

namespace {

// A file in the temporary folder for one copy's bytes on their way (mkostemp: unique across
// threads and processes), removed when it goes.
struct ScratchFile {
  fs::path path;
  UniqueFd fd;
  ScratchFile() = default;
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  ~ScratchFile() {
    std::error_code ec;
    if (!path.empty()) fs::remove(path, ec);
  }
};

Result<std::unique_ptr<ScratchFile>> MakeScratchFile() {
  std::string name = (fs::temp_directory_path() / "mirrorvault-regioncache-XXXXXX").string();
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "create " + name);
  auto scratch = std::make_unique<ScratchFile>();
  scratch->path = name;
  scratch->fd = UniqueFd(fd);
  return scratch;
}

}  // namespace

CopyMaker::CopyMaker(std::shared_ptr<const OriginFetcher> origins) : origins_(std::move(origins)) {}

Result<MadeCopy> CopyMaker::CopyBlob(store::ObjectStore& region_store,
                                     store::ObjectStore& archive_store,
                                     const archive::Sha256& sha256, uint64_t size) const {
  const std::string key = archive::BlobKey(sha256);
  const std::string hex = archive::ToHex(sha256);
  store::PutOptions put;
  put.content_type = "application/octet-stream";
  put.metadata = {{"mv-sha256", hex}};
  // The same S3 service: the store copies (the blob's key names its verified hash).
  std::optional<store::CopySource> from = archive_store.CopySourceOf(key);
  std::optional<store::CopySource> to = region_store.CopySourceOf(key);
  if (from && to && from->service == to->service) {
    MV_RETURN_IF_ERROR(region_store.CopyFrom(archive_store, key, key, size, put));
    return MadeCopy{.size = size, .by_server = true};
  }
  put.expected_sha256 = hex;
  MV_ASSIGN_OR_RETURN(std::unique_ptr<ScratchFile> tmp, MakeScratchFile());
  MV_RETURN_IF_ERROR(archive_store.GetFile(key, tmp->path.string(), {.size_hint = size}));
  MV_RETURN_IF_ERROR(region_store.PutFile(key, tmp->path.string(), put));
  return MadeCopy{.size = size};
}

Result<MadeCopy> CopyMaker::CopyUrl(const RegionConfig& region, store::ObjectStore& region_store,
                                    const AllowedUrl& url, const std::string& key) const {
  if (!origins_) return PermissionDenied("origin URLs are not allowed ([regioncache] allow)");
  MV_ASSIGN_OR_RETURN(std::unique_ptr<ScratchFile> tmp, MakeScratchFile());
  std::unique_ptr<Writer> sink = MakeFdWriter(tmp->fd.get(), tmp->path.string());
  Result<OriginObject> origin = origins_->Get(url, *sink);
  MV_RETURN_IF_ERROR(tmp->fd.Close(tmp->path.string()));
  if (!origin.ok()) return origin.status();
  if (region.budget > 0 && origin->length > region.budget) {
    return PermissionDenied(url.url.substr(0, 200) + " is " + std::to_string(origin->length) +
                            " bytes, more than region " + region.name + "'s budget");
  }
  store::PutOptions put;
  put.content_type =
      origin->content_type.empty() ? "application/octet-stream" : origin->content_type;
  put.metadata = {{"mv-origin-length", std::to_string(origin->length)}};
  if (!origin->etag.empty() && origin->etag.size() < 256) {
    put.metadata["mv-origin-etag"] = origin->etag;
  }
  if (url.url.size() < 1024) put.metadata["mv-origin-url"] = url.url;
  MV_RETURN_IF_ERROR(region_store.PutFile(key, tmp->path.string(), put));
  return MadeCopy{.size = origin->length, .etag = origin->etag};
}

}  // namespace mv::regioncache
