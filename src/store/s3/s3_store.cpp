#include "store/s3/s3_store.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <mutex>
#include <optional>
#include <random>

#include "http/http_date.h"
#include "store/s3/bucket_policy.h"
#include "store/s3/multipart_transfer.h"
#include "store/s3/s3_errors.h"
#include "store/s3/s3_xml.h"
#include "store/s3/sigv4.h"
#include "store/store_checks.h"
#include "util/hash.h"

namespace mv::s3 {
namespace {

using store::ObjectInfo;
using store::PutOptions;

constexpr size_t kMaxBatchDelete = 1000;
constexpr std::string_view kDefaultContentType = "binary/octet-stream";
constexpr uint64_t kMaxSinglePut = 5ull << 30;  // S3's limit for one PutObject / CopyObject

// Metadata header that marks an if_absent PutObject as ours, so a retry that meets 412 after a
// lost response can tell "we wrote it" from "someone else did".
constexpr char kPutIdMeta[] = "mv-put-id";

std::string RandomToken() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::to_string(rng()) + std::to_string(rng());
}

// Passes a sized body through while hashing it, and fails the read that would deliver the last
// byte when the digest is not `expected`: the server never receives a complete body, so no
// object with wrong content can become visible, even on a server that does not check
// x-amz-content-sha256 itself.
class VerifyingReader final : public Reader {
 public:
  VerifyingReader(Reader& inner, std::string expected, std::string what)
      : inner_(inner), expected_(std::move(expected)), what_(std::move(what)) {}

  Result<size_t> Read(char* buf, size_t n) override {
    MV_ASSIGN_OR_RETURN(size_t got, inner_.Read(buf, n));
    hasher_.Update(std::string_view(buf, got));
    seen_ += got;
    bool last = got == 0 || (inner_.Size() && seen_ == *inner_.Size());
    if (last && !checked_) {
      checked_ = true;
      std::string actual = hasher_.FinishHex();
      if (actual != expected_) {
        return Corruption(what_ + ": content has SHA-256 " + actual + ", expected " + expected_ +
                          "; nothing was written");
      }
    }
    return got;
  }
  std::optional<uint64_t> Size() const override { return inner_.Size(); }
  Status Rewind() override {
    seen_ = 0;
    checked_ = false;
    hasher_.FinishHex();
    return inner_.Rewind();
  }

 private:
  Reader& inner_;
  std::string expected_;
  std::string what_;
  Sha256Hasher hasher_;
  uint64_t seen_ = 0;
  bool checked_ = false;
};

// Counts the bytes that reach `inner`, so an interrupted download can resume after them.
class CountingWriter final : public Writer {
 public:
  explicit CountingWriter(Writer& inner) : inner_(inner) {}
  Status Write(std::string_view data) override {
    MV_RETURN_IF_ERROR(inner_.Write(data));
    count_ += data.size();
    return Status::Ok();
  }
  uint64_t count() const { return count_; }

 private:
  Writer& inner_;
  uint64_t count_ = 0;
};

std::string RangeHeader(uint64_t first, std::optional<uint64_t> last) {
  return "bytes=" + std::to_string(first) + "-" + (last ? std::to_string(*last) : "");
}

class S3Store final : public store::ObjectStore {
 public:
  explicit S3Store(S3StoreOptions options);

  std::string Describe() const override;
  bool SupportsConditionalPut() override;
  bool SupportsBatchDelete() override { return batch_delete_.load(); }
  bool SupportsServerSideCopy() const override { return true; }

  Status Put(const std::string& key, Reader& reader, const store::PutOptions& options) override;
  Status PutFile(const std::string& key, const std::string& path,
                 const store::PutOptions& options) override;
  Status Get(const std::string& key, Writer& writer, const store::GetOptions& options) override;
  Status GetFile(const std::string& key, const std::string& path,
                 const store::GetOptions& options) override;
  Result<store::ObjectInfo> Head(const std::string& key) override;
  Result<store::ListPage> List(const store::ListOptions& options) override;
  Status Delete(const std::string& key) override;
  Status DeleteMany(std::span<const std::string> keys,
                    std::vector<store::DeleteFailure>* failures) override;
  Status Copy(const std::string& src_key, const std::string& dst_key,
              const store::PutOptions& options) override;
  std::optional<store::CopySource> CopySourceOf(const std::string& key) const override;
  Status CopyFrom(const ObjectStore& source, const std::string& src_key, const std::string& dst_key,
                  uint64_t size, const store::PutOptions& options) override;
  Result<std::string> PresignGet(const std::string& key, std::chrono::seconds ttl) override;
  Result<std::string> AllowAnonymousRead(const std::vector<std::string>& cidrs) override;

 private:
  std::string Full(const std::string& key) const { return options_.prefix + key; }
  std::string Url(const std::string& key) const { return client_.Describe(Full(key)); }

  // One PutObject of a rewindable, sized body.
  Status PutSingle(const std::string& key, Reader& body, const store::PutOptions& options);
  // Reads `reader` into memory (for unsized or non-rewindable small bodies).
  Status PutBuffered(const std::string& key, Reader& reader, const store::PutOptions& options);

  // A copy by the server from `source` (a CopySource path, decoded) of `size` bytes: one
  // CopyObject, or UploadPartCopy parts above S3's single-copy limit.
  Status CopyByServer(const std::string& source, const std::string& dst_key, uint64_t size,
                      const store::PutOptions& options, const std::string& what);
  // CopySource::service of this store.
  std::string Service() const;

  S3StoreOptions options_;
  S3Client client_;
  MultipartTransfer multipart_;
  std::once_flag probe_once_;
  bool conditional_put_ = false;  // written once under probe_once_
  std::atomic<bool> batch_delete_{true};
};

S3Store::S3Store(S3StoreOptions options)
    : options_(std::move(options)),
      client_(options_.endpoint, options_.credentials,
              options_.http ? options_.http : http::MakeCurlHttpClient(), options_.retry,
              options_.clock),
      multipart_(client_,
                 {.part_size = options_.part_size, .part_concurrency = options_.part_concurrency}) {
}

std::string S3Store::Describe() const {
  std::string prefix = options_.prefix;
  if (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return "s3://" + options_.endpoint.bucket + (prefix.empty() ? "" : "/" + prefix);
}

bool S3Store::SupportsConditionalPut() {
  std::call_once(probe_once_, [this] {
    // Some S3 servers accept If-None-Match and ignore it: write a probe twice and see.
    std::string key = Full(".mirrorvault-probe/" + RandomToken());
    auto put = [&] {
      auto body = MakeStringReader("probe");
      S3Request r{.method = http::Method::kPut,
                  .key = key,
                  .headers = {{"if-none-match", "*"}},
                  .body = body.get()};
      return client_.Send(r).status();
    };
    Status first = put();
    Status second = first.ok() ? put() : first;
    conditional_put_ = first.ok() && second.IsPreconditionFailed();
    S3Request del{.method = http::Method::kDelete, .key = key};
    client_.Send(del).status().IgnoreError();
  });
  return conditional_put_;
}

Status S3Store::PutSingle(const std::string& key, Reader& body, const PutOptions& options) {
  std::string full = Full(key);
  S3Request r{.method = http::Method::kPut, .key = full};
  AddPutHeaders(options, &r.headers);
  std::optional<VerifyingReader> verifying;
  Reader* reader = &body;
  if (options.expected_sha256) {
    // The server checks the body against the signed payload hash too.
    r.payload_hash = *options.expected_sha256;
    verifying.emplace(body, *options.expected_sha256, "PUT " + Url(key));
    reader = &*verifying;
  }
  r.body = reader;
  std::string put_id;
  if (options.if_absent) {
    if (SupportsConditionalPut()) {
      r.headers.emplace_back("if-none-match", "*");
      put_id = RandomToken();
      r.headers.emplace_back(std::string("x-amz-meta-") + kPutIdMeta, put_id);
    } else {
      // Not atomic on this server: the archive's writer lock keeps writers apart.
      auto existing = Head(key);
      if (existing.ok()) return PreconditionFailed(Url(key) + " already exists");
      if (!existing.status().IsNotFound()) return existing.status();
    }
  }
  int attempts = 0;
  Status st = http::RunWithRetries(client_.retry_policy(), [&](int attempt) -> Status {
    attempts = attempt;
    if (attempt > 1) MV_RETURN_IF_ERROR(reader->Rewind());
    return client_.SendOnce(r).status();
  });
  if (st.IsPreconditionFailed() && !put_id.empty() && attempts > 1) {
    // An earlier attempt may have succeeded with its answer lost: it is ours if it has our id.
    auto info = Head(key);
    if (info.ok()) {
      auto it = info->metadata.find(kPutIdMeta);
      if (it != info->metadata.end() && it->second == put_id) return Status::Ok();
    }
  }
  if (st.IsPreconditionFailed()) return PreconditionFailed(Url(key) + " already exists");
  return st;
}

Status S3Store::PutBuffered(const std::string& key, Reader& reader, const PutOptions& options) {
  std::string data;
  auto sink = MakeStringWriter(&data);
  MV_RETURN_IF_ERROR(CopyStream(reader, *sink).status());
  auto body = MakeStringReader(data);
  return PutSingle(key, *body, options);
}

Status S3Store::Put(const std::string& key, Reader& reader, const PutOptions& options) {
  MV_RETURN_IF_ERROR(store::ValidateKey(key));
  MV_RETURN_IF_ERROR(store::CheckPutOptions(key, options));
  std::optional<uint64_t> size = reader.Size();
  if (options.if_absent) {
    // If-None-Match is not honoured on CompleteMultipartUpload by every server: one PUT.
    if (size && *size > kMaxSinglePut) {
      return InvalidArgument("PUT " + Url(key) + ": if_absent objects are limited to 5 GiB");
    }
    if (size && reader.Rewind().ok()) return PutSingle(key, reader, options);
    return PutBuffered(key, reader, options);
  }
  if (size && *size <= options_.multipart_threshold && reader.Rewind().ok()) {
    return PutSingle(key, reader, options);
  }
  // Unsized, non-rewindable or large: read the first chunk; small bodies still go in one PUT.
  std::string first(options_.part_size, '\0');
  size_t filled = 0;
  while (filled < first.size()) {
    MV_ASSIGN_OR_RETURN(size_t n, reader.Read(first.data() + filled, first.size() - filled));
    if (n == 0) break;
    filled += n;
  }
  first.resize(filled);
  if (filled < options_.part_size) {
    auto body = MakeStringReader(first);
    return PutSingle(key, *body, options);
  }
  return multipart_.PutStream(Full(key), reader, std::move(first), options);
}

Status S3Store::PutFile(const std::string& key, const std::string& path,
                        const PutOptions& options) {
  MV_RETURN_IF_ERROR(store::ValidateKey(key));
  MV_RETURN_IF_ERROR(store::CheckPutOptions(key, options));
  MV_ASSIGN_OR_RETURN(auto reader, OpenFileReader(path));
  uint64_t size = *reader->Size();
  if (options.if_absent || size <= options_.multipart_threshold) return Put(key, *reader, options);
  return multipart_.PutFile(Full(key), path, size, options);
}

Status S3Store::Get(const std::string& key, Writer& writer, const store::GetOptions& options) {
  MV_RETURN_IF_ERROR(store::ValidateKey(key));
  CountingWriter counted(writer);
  std::string etag;
  int attempts = 0;
  http::RetryPolicy retry = client_.retry_policy();
  if (options.max_attempts > 0)
    retry.max_attempts = std::min(retry.max_attempts, options.max_attempts);
  Status st = http::RunWithRetries(retry, [&](int attempt) -> Status {
    attempts = attempt;
    S3Request r{.method = http::Method::kGet, .key = Full(key), .sink = &counted};
    uint64_t first = options.range ? options.range->first : 0;
    std::optional<uint64_t> last = options.range ? options.range->last : std::nullopt;
    if (counted.count() > 0 || options.range) {
      // Resume after what was delivered, pinned to the version we started reading.
      r.headers.emplace_back("range", RangeHeader(first + counted.count(), last));
      if (!etag.empty()) r.headers.emplace_back("if-match", etag);
    }
    auto response = client_.SendOnce(r);
    if (!response.ok()) return PinnedReadFailure(Url(key), response.status());
    if (etag.empty()) {
      if (auto e = http::FindHeader(response->headers, "etag")) etag = std::string(*e);
    }
    // A body shorter than announced is a transport failure curl reports; nothing to do here.
    return Status::Ok();
  });
  if (!st.ok() && st.code() == StatusCode::kInvalidArgument && options.range) {
    return InvalidArgument("GET " + Url(key) + ": range starts beyond the end of the object");
  }
  return st;
}

Status S3Store::GetFile(const std::string& key, const std::string& path,
                        const store::GetOptions& options) {
  if (options.range) return ObjectStore::GetFile(key, path, options);
  // A small object known from a listing is one GET: no Head round trip first (it doubled the
  // requests of a recursive download of small files).
  if (options.size_hint && *options.size_hint <= options_.multipart_threshold) {
    return ObjectStore::GetFile(key, path, options);
  }
  MV_ASSIGN_OR_RETURN(ObjectInfo info, Head(key));
  if (info.size <= options_.multipart_threshold) return ObjectStore::GetFile(key, path, options);
  return multipart_.GetFile(Full(key), path, info);
}

Result<ObjectInfo> S3Store::Head(const std::string& key) {
  MV_RETURN_IF_ERROR(store::ValidateKey(key));
  S3Request r{.method = http::Method::kHead, .key = Full(key)};
  MV_ASSIGN_OR_RETURN(http::Response response, client_.Send(r));
  ObjectInfo info;
  info.key = key;
  for (const auto& [name, value] : response.headers) {
    if (name == "content-length") {
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), info.size);
      if (ec != std::errc() || end != value.data() + value.size()) {
        return Corruption("HEAD " + Url(key) + ": bad Content-Length \"" + value + "\"");
      }
    } else if (name == "etag") {
      info.etag =
          value.size() >= 2 && value.front() == '"' ? value.substr(1, value.size() - 2) : value;
    } else if (name == "last-modified") {
      if (auto t = http::ParseHttpDate(value); t.ok()) info.last_modified = *t;
    } else if (name.starts_with("x-amz-meta-")) {
      info.metadata[name.substr(11)] = value;
    } else if (name == "content-type" && value != kDefaultContentType) {
      info.content_type = value;  // S3 reports its default for objects stored without one
    }
  }
  return info;
}

Result<store::ListPage> S3Store::List(const store::ListOptions& options) {
  if (options.max_keys < 1)
    return InvalidArgument("list " + Url(options.prefix) + ": max_keys < 1");
  const std::string& prefix = options_.prefix;
  auto strip = [&](const std::string& full) -> Result<std::string> {
    if (!full.starts_with(prefix)) {
      return Corruption("S3 listing returned key \"" + full + "\" outside prefix \"" + prefix +
                        "\"");
    }
    return full.substr(prefix.size());
  };
  // S3 rolls keys after start-after up into the common prefix they share with it, so a page that
  // resumes after a common prefix would begin with that prefix again: drop it (and follow S3's
  // own continuation when nothing else is left on the page).
  std::string continuation;
  for (;;) {
    S3Request r{.method = http::Method::kGet, .key = ""};
    r.query = {{"list-type", "2"},
               {"prefix", Full(options.prefix)},
               {"encoding-type", "url"},
               {"max-keys", std::to_string(std::min(options.max_keys, 1000))}};
    if (!options.delimiter.empty()) r.query.emplace_back("delimiter", options.delimiter);
    if (!continuation.empty()) {
      r.query.emplace_back("continuation-token", continuation);
    } else if (!options.start_after.empty()) {
      r.query.emplace_back("start-after", Full(options.start_after));
    }
    MV_ASSIGN_OR_RETURN(http::Response response, client_.Send(r));
    MV_ASSIGN_OR_RETURN(ListResult listed, ParseListObjectsV2(response.body, true));
    store::ListPage page;
    for (ListedObject& obj : listed.objects) {
      MV_ASSIGN_OR_RETURN(std::string key, strip(obj.key));
      page.objects.push_back({.key = std::move(key),
                              .size = obj.size,
                              .etag = std::move(obj.etag),
                              .last_modified = obj.last_modified});
    }
    for (const std::string& p : listed.common_prefixes) {
      MV_ASSIGN_OR_RETURN(std::string stripped, strip(p));
      if (!options.start_after.empty() && stripped <= options.start_after) continue;
      page.common_prefixes.push_back(std::move(stripped));
    }
    if (listed.truncated) {
      if (page.objects.empty() && page.common_prefixes.empty()) {
        continuation = listed.next_continuation_token;
        continue;
      }
      std::string last_object = page.objects.empty() ? "" : page.objects.back().key;
      std::string last_prefix = page.common_prefixes.empty() ? "" : page.common_prefixes.back();
      page.next_start_after = std::max(last_object, last_prefix);
    }
    return page;
  }
}

Status S3Store::Delete(const std::string& key) {
  MV_RETURN_IF_ERROR(store::ValidateKey(key));
  S3Request r{.method = http::Method::kDelete, .key = Full(key)};
  Status st = client_.Send(r).status();
  if (st.IsNotFound() && st.message().find("NoSuchBucket") == std::string::npos) {
    return Status::Ok();
  }
  return st;
}

Status S3Store::DeleteMany(std::span<const std::string> all_keys,
                           std::vector<store::DeleteFailure>* failures) {
  Status first;
  std::vector<std::string> valid;
  for (const std::string& key : all_keys) {
    Status st = store::ValidateKey(key);
    if (st.ok()) {
      valid.push_back(key);
      continue;
    }
    if (failures != nullptr) failures->push_back({key, st});
    if (first.ok()) first = st;
  }
  std::span<const std::string> keys(valid);
  if (!batch_delete_.load()) {
    Status st = ObjectStore::DeleteMany(keys, failures);
    return first.ok() ? st : first;
  }
  for (size_t start = 0; start < keys.size(); start += kMaxBatchDelete) {
    auto batch = keys.subspan(start, std::min(kMaxBatchDelete, keys.size() - start));
    std::vector<std::string> full;
    full.reserve(batch.size());
    for (const std::string& k : batch) full.push_back(Full(k));
    std::string xml = BuildDelete(full, /*quiet=*/true);
    auto body = MakeStringReader(xml);
    S3Request r{.method = http::Method::kPost,
                .key = "",
                .query = {{"delete", ""}},
                .headers = {{"content-md5", Md5Base64(xml)}, {"content-type", "application/xml"}},
                .body = body.get(),
                .payload_hash = Sha256Hex(xml)};
    auto response = client_.Send(r);
    if (!response.ok()) {
      StatusCode code = response.status().code();
      if (code == StatusCode::kInvalidArgument || code == StatusCode::kInternal) {
        // The server does not implement DeleteObjects (501/405): learn it and go one by one.
        batch_delete_.store(false);
        Status st = ObjectStore::DeleteMany(keys.subspan(start), failures);
        return first.ok() ? st : first;
      }
      return response.status();
    }
    MV_ASSIGN_OR_RETURN(DeleteResult result, ParseDeleteResult(response->body));
    for (size_t i = 0; i < result.errors.size(); ++i) {
      std::string key = result.error_keys[i].substr(
          std::min(options_.prefix.size(), result.error_keys[i].size()));
      Status st = StatusFromS3(200, result.errors[i], "DELETE " + Url(key));
      if (failures != nullptr) failures->push_back({key, st});
      if (first.ok()) first = st;
    }
  }
  return first;
}

Status S3Store::Copy(const std::string& src_key, const std::string& dst_key,
                     const PutOptions& options) {
  MV_RETURN_IF_ERROR(store::ValidateKey(src_key));
  MV_RETURN_IF_ERROR(store::ValidateKey(dst_key));
  if (options.if_absent || options.expected_sha256) {
    // Preconditions and digests are checked on the bytes: copy through this process.
    return ObjectStore::Copy(src_key, dst_key, options);
  }
  MV_ASSIGN_OR_RETURN(ObjectInfo src, Head(src_key));
  bool replace = !options.metadata.empty() || !options.content_type.empty();
  if (src_key == dst_key && !replace) return Status::Ok();  // S3 refuses a no-op self-copy
  return CopyByServer("/" + options_.endpoint.bucket + "/" + Full(src_key), dst_key, src.size,
                      options, "COPY " + Url(src_key) + " to " + Url(dst_key));
}

std::string S3Store::Service() const {
  return options_.endpoint.scheme + "://" + options_.endpoint.authority + " as " +
         options_.credentials.access_key_id;
}

std::optional<store::CopySource> S3Store::CopySourceOf(const std::string& key) const {
  return store::CopySource{Service(), "/" + options_.endpoint.bucket + "/" + Full(key)};
}

Status S3Store::CopyFrom(const ObjectStore& source, const std::string& src_key,
                         const std::string& dst_key, uint64_t size, const PutOptions& options) {
  MV_RETURN_IF_ERROR(store::ValidateKey(src_key));
  MV_RETURN_IF_ERROR(store::ValidateKey(dst_key));
  std::optional<store::CopySource> from = source.CopySourceOf(src_key);
  if (!from || from->service != Service() || options.if_absent || options.expected_sha256) {
    return ObjectStore::CopyFrom(source, src_key, dst_key, size, options);
  }
  // REPLACE: the copy gets the metadata and content type given (none when none is).
  PutOptions replace = options;
  if (replace.content_type.empty()) replace.content_type = "application/octet-stream";
  return CopyByServer(from->path, dst_key, size, replace,
                      "COPY " + source.Describe() + " " + src_key + " to " + Url(dst_key));
}

Status S3Store::CopyByServer(const std::string& source, const std::string& dst_key, uint64_t size,
                             const PutOptions& options, const std::string& what) {
  if (size > kMaxSinglePut) {
    return multipart_.Copy(source, Full(dst_key), size, options).WithContext(what);
  }
  bool replace = !options.metadata.empty() || !options.content_type.empty();
  S3Request r{.method = http::Method::kPut, .key = Full(dst_key)};
  r.headers.emplace_back("x-amz-copy-source", UriEncode(source, false));
  if (replace) {
    r.headers.emplace_back("x-amz-metadata-directive", "REPLACE");
    AddPutHeaders(options, &r.headers);
  }
  Result<http::Response> response = client_.Send(r);
  if (!response.ok()) return response.status().WithContext(what);
  return ParseCopyObjectResult(response->body).WithContext(what);
}

Result<std::string> S3Store::PresignGet(const std::string& key, std::chrono::seconds ttl) {
  MV_RETURN_IF_ERROR(store::ValidateKey(key));
  if (ttl.count() <= 0 || ttl.count() > 7 * 24 * 3600) {
    return InvalidArgument("presigned URL lifetime must be between 1 s and 7 days");
  }
  return client_.PresignGet(Full(key), ttl);
}

Result<std::string> S3Store::AllowAnonymousRead(const std::vector<std::string>& cidrs) {
  S3Request get{.method = http::Method::kGet, .key = "", .query = {{"policy", ""}}};
  std::string existing;
  if (Result<http::Response> current = client_.Send(get); current.ok()) {
    existing = current->body;
  } else if (!current.status().IsNotFound()) {  // NoSuchBucketPolicy: none yet
    return current.status().WithContext("GetBucketPolicy on " + Describe());
  }
  MV_ASSIGN_OR_RETURN(std::string policy,
                      MergeReadPolicy(existing, options_.endpoint.bucket, options_.prefix, cidrs));
  auto body = MakeStringReader(policy);
  S3Request put{.method = http::Method::kPut,
                .key = "",
                .query = {{"policy", ""}},
                .headers = {{"content-type", "application/json"}},
                .body = body.get(),
                .payload_hash = Sha256Hex(policy)};
  MV_RETURN_IF_ERROR(client_.Send(put).status().WithContext("PutBucketPolicy on " + Describe()));
  MV_ASSIGN_OR_RETURN(http::Response applied, client_.Send(get));
  return applied.body;
}

}  // namespace

std::shared_ptr<store::ObjectStore> MakeS3Store(S3StoreOptions options) {
  return std::make_shared<S3Store>(std::move(options));
}

}  // namespace mv::s3
