#include "store/s3/multipart_transfer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include "store/s3/s3_errors.h"
#include "store/s3/s3_xml.h"
#include "store/s3/sigv4.h"
#include "util/hash.h"
#include "util/io.h"
#include "util/task_group.h"

namespace mv::s3 {
namespace {

using store::PutOptions;

constexpr uint64_t kMaxParts = 10000;

uint64_t PartSizeFor(uint64_t size, uint64_t preferred) {
  uint64_t min_for_count = (size + kMaxParts - 1) / kMaxParts;
  return std::max({preferred, min_for_count, uint64_t{5} << 20});
}

std::string Etag(const http::Response& response) {
  auto e = http::FindHeader(response.headers, "etag");
  return e ? std::string(*e) : std::string();
}

// Writes at increasing offsets of a file descriptor the caller owns.
class PwriteWriter final : public Writer {
 public:
  PwriteWriter(int fd, uint64_t offset, std::string path)
      : fd_(fd), offset_(offset), path_(std::move(path)) {}
  Status Write(std::string_view data) override {
    MV_RETURN_IF_ERROR(WriteAllAt(fd_, data, offset_, path_));
    offset_ += data.size();
    return Status::Ok();
  }

 private:
  int fd_;
  uint64_t offset_;
  std::string path_;
};

}  // namespace

void AddPutHeaders(const PutOptions& options, http::Headers* headers) {
  if (!options.content_type.empty()) headers->emplace_back("content-type", options.content_type);
  for (const auto& [k, v] : options.metadata) headers->emplace_back("x-amz-meta-" + k, v);
}

MultipartTransfer::MultipartTransfer(const S3Client& client, MultipartOptions options)
    : client_(client), options_(options) {}

size_t MultipartTransfer::MaxInFlight() const {
  return static_cast<size_t>(std::max(options_.part_concurrency, 1));
}

Result<std::string> MultipartTransfer::Create(const std::string& key, const PutOptions& options) {
  S3Request r{.method = http::Method::kPost, .key = key, .query = {{"uploads", ""}}};
  AddPutHeaders(options, &r.headers);
  MV_ASSIGN_OR_RETURN(http::Response response, client_.Send(r));
  return ParseInitiateMultipartUpload(response.body);
}

void MultipartTransfer::Abort(const std::string& key, const std::string& upload_id) {
  S3Request r{.method = http::Method::kDelete, .key = key, .query = {{"uploadId", upload_id}}};
  client_.Send(r).status().IgnoreError();  // best effort; lifecycle rules collect the rest
}

Status MultipartTransfer::Complete(const std::string& key, const std::string& upload_id,
                                   std::vector<CompletedPart> parts, uint64_t size) {
  std::string xml = BuildCompleteMultipartUpload(parts);
  auto body = MakeStringReader(xml);
  S3Request r{.method = http::Method::kPost,
              .key = key,
              .query = {{"uploadId", upload_id}},
              .headers = {{"content-type", "application/xml"}},
              .body = body.get(),
              .payload_hash = Sha256Hex(xml)};
  // A retried Complete may find the upload already completed by an attempt whose answer was
  // lost: NoSuchUpload then means success if the object has the expected size.
  Status st = http::RunWithRetries(client_.retry_policy(), [&](int attempt) -> Status {
    if (attempt > 1) MV_RETURN_IF_ERROR(body->Rewind());
    auto response = client_.SendOnce(r);
    if (!response.ok()) {
      if (attempt > 1 && response.status().IsNotFound()) {
        S3Request head{.method = http::Method::kHead, .key = key};
        auto info = client_.Send(head);
        if (info.ok()) {
          auto length = http::FindHeader(info->headers, "content-length");
          if (length && *length == std::to_string(size)) return Status::Ok();
        }
      }
      return response.status();
    }
    return ParseCompleteMultipartUpload(response->body);  // 200 may carry an <Error>
  });
  return st.WithContext("complete multipart upload of " + client_.Describe(key));
}

Status MultipartTransfer::PutFile(const std::string& key, const std::string& path, uint64_t size,
                                  const PutOptions& options) {
  MV_ASSIGN_OR_RETURN(std::string upload_id, Create(key, options));
  uint64_t part_size = PartSizeFor(size, options_.part_size);
  size_t count = static_cast<size_t>((size + part_size - 1) / part_size);
  std::vector<CompletedPart> parts(count);

  // The expected digest is checked by one sequential pass beside the parallel part uploads
  // (the file is read from the page cache twice, hashed once).
  Status hash_status;
  std::thread hasher;
  if (options.expected_sha256) {
    hasher = std::thread([&] {
      auto reader = OpenFileReader(path);
      if (!reader.ok()) {
        hash_status = reader.status();
        return;
      }
      Sha256Hasher h;
      std::vector<char> buf(1 << 20);
      for (;;) {
        auto n = (*reader)->Read(buf.data(), buf.size());
        if (!n.ok()) {
          hash_status = n.status();
          return;
        }
        if (*n == 0) break;
        h.Update(std::string_view(buf.data(), *n));
      }
      std::string actual = h.FinishHex();
      if (actual != *options.expected_sha256) {
        hash_status =
            Corruption("PUT " + client_.Describe(key) + ": " + path + " has SHA-256 " + actual +
                       ", expected " + *options.expected_sha256 + "; nothing was written");
      }
    });
  }
  Status st = mv::ParallelFor(
      count,
      [&](size_t i) -> Status {
        uint64_t offset = i * part_size;
        uint64_t len = std::min(part_size, size - offset);
        MV_ASSIGN_OR_RETURN(auto reader, OpenFileReader(path, offset, len));
        S3Request r{.method = http::Method::kPut,
                    .key = key,
                    .query = {{"partNumber", std::to_string(i + 1)}, {"uploadId", upload_id}},
                    .body = reader.get()};
        MV_ASSIGN_OR_RETURN(http::Response response, client_.Send(r));
        parts[i] = {static_cast<int>(i + 1), Etag(response)};
        return Status::Ok();
      },
      {.max_in_flight = MaxInFlight()});
  if (hasher.joinable()) hasher.join();
  if (st.ok()) st = hash_status;
  if (st.ok()) st = Complete(key, upload_id, std::move(parts), size);
  if (!st.ok()) Abort(key, upload_id);
  return st;
}

Status MultipartTransfer::PutStream(const std::string& key, Reader& reader, std::string first_chunk,
                                    const PutOptions& options) {
  MV_ASSIGN_OR_RETURN(std::string upload_id, Create(key, options));
  std::vector<CompletedPart> parts;
  Sha256Hasher hasher;
  uint64_t total = 0;
  bool eof = false;
  std::string carry = std::move(first_chunk);
  Status st;
  // Waves of `part_concurrency` parts: read them (hashing in order), then upload them in parallel.
  while (st.ok() && !eof) {
    std::vector<std::string> wave;
    while (wave.size() < MaxInFlight() && !eof) {
      std::string chunk;
      if (!carry.empty()) {
        chunk = std::move(carry);
        carry.clear();
      } else {
        chunk.resize(options_.part_size);
        size_t filled = 0;
        while (filled < chunk.size()) {
          auto n = reader.Read(chunk.data() + filled, chunk.size() - filled);
          if (!n.ok()) {
            st = n.status();
            break;
          }
          if (*n == 0) {
            eof = true;
            break;
          }
          filled += *n;
        }
        chunk.resize(filled);
        if (!st.ok()) break;
      }
      if (chunk.empty()) break;
      hasher.Update(chunk);
      total += chunk.size();
      wave.push_back(std::move(chunk));
    }
    if (!st.ok() || wave.empty()) break;
    if (parts.size() + wave.size() > kMaxParts) {
      st = InvalidArgument("PUT " + client_.Describe(key) +
                           ": stream too large for 10,000 parts of " +
                           std::to_string(options_.part_size) + " bytes");
      break;
    }
    size_t base = parts.size();
    parts.resize(base + wave.size());
    st = mv::ParallelFor(wave.size(),
                         [&](size_t i) -> Status {
                           auto body = MakeStringReader(wave[i]);
                           S3Request r{.method = http::Method::kPut,
                                       .key = key,
                                       .query = {{"partNumber", std::to_string(base + i + 1)},
                                                 {"uploadId", upload_id}},
                                       .body = body.get()};
                           MV_ASSIGN_OR_RETURN(http::Response response, client_.Send(r));
                           parts[base + i] = {static_cast<int>(base + i + 1), Etag(response)};
                           return Status::Ok();
                         },
                         {.max_in_flight = MaxInFlight()});
  }
  if (st.ok() && options.expected_sha256) {
    std::string actual = hasher.FinishHex();
    if (actual != *options.expected_sha256) {
      st = Corruption("PUT " + client_.Describe(key) + ": content has SHA-256 " + actual +
                      ", expected " + *options.expected_sha256 + "; nothing was written");
    }
  }
  if (st.ok()) st = Complete(key, upload_id, std::move(parts), total);
  if (!st.ok()) Abort(key, upload_id);
  return st;
}

Status MultipartTransfer::GetFile(const std::string& key, const std::string& path,
                                  const store::ObjectInfo& info) {
  std::string tmp = TempSiblingPath(path);
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) return ErrnoStatus(errno, "create " + tmp);
  Status st;
  if (::ftruncate(fd.get(), static_cast<off_t>(info.size)) != 0)
    st = ErrnoStatus(errno, "size " + tmp);
  uint64_t part_size = options_.part_size;
  size_t count = static_cast<size_t>((info.size + part_size - 1) / part_size);
  std::string if_match = "\"" + info.etag + "\"";
  if (st.ok()) {
    st = mv::ParallelFor(
        count,
        [&](size_t i) -> Status {
          uint64_t first = i * part_size;
          uint64_t last = std::min(info.size, first + part_size) - 1;
          Status part = http::RunWithRetries(client_.retry_policy(), [&](int) -> Status {
            PwriteWriter writer(fd.get(), first, tmp);  // a retry rewrites the same bytes
            S3Request r{.method = http::Method::kGet,
                        .key = key,
                        .headers = {{"range",
                                     "bytes=" + std::to_string(first) + "-" + std::to_string(last)},
                                    {"if-match", if_match}},
                        .sink = &writer};
            auto response = client_.SendOnce(r);
            if (!response.ok()) return PinnedReadFailure(client_.Describe(key), response.status());
            if (response->body_bytes != last - first + 1) {
              return Unavailable("GET " + client_.Describe(key) + ": short range response");
            }
            return Status::Ok();
          });
          // Start writing the finished part to disk now, while the other parts download, so that
          // the fsync below finds little left to write (it cost ~0.8 s per GiB at the end). Only a
          // hint: errors surface at the fsync.
          if (part.ok()) {
            ::sync_file_range(fd.get(), static_cast<off_t>(first),
                              static_cast<off_t>(last - first + 1), SYNC_FILE_RANGE_WRITE);
          }
          return part;
        },
        {.max_in_flight = MaxInFlight()});
  }
  return MoveTempFileIntoPlace(fd, tmp, path, std::move(st));
}

Status MultipartTransfer::Copy(const std::string& source_path, const std::string& dst_key,
                               uint64_t size, const PutOptions& options) {
  MV_ASSIGN_OR_RETURN(std::string upload_id, Create(dst_key, options));
  uint64_t part_size = PartSizeFor(size, uint64_t{512} << 20);
  size_t count = static_cast<size_t>((size + part_size - 1) / part_size);
  std::vector<CompletedPart> parts(count);
  std::string source = UriEncode(source_path, false);
  Status st = mv::ParallelFor(
      count,
      [&](size_t i) -> Status {
        uint64_t first = i * part_size;
        uint64_t last = std::min(size, first + part_size) - 1;
        S3Request r{.method = http::Method::kPut,
                    .key = dst_key,
                    .query = {{"partNumber", std::to_string(i + 1)}, {"uploadId", upload_id}},
                    .headers = {{"x-amz-copy-source", source},
                                {"x-amz-copy-source-range",
                                 "bytes=" + std::to_string(first) + "-" + std::to_string(last)}}};
        MV_ASSIGN_OR_RETURN(http::Response response, client_.Send(r));
        MV_ASSIGN_OR_RETURN(std::string etag, ParseCopyPartResult(response.body));
        parts[i] = {static_cast<int>(i + 1), etag};
        return Status::Ok();
      },
      {.max_in_flight = MaxInFlight()});
  if (st.ok()) st = Complete(dst_key, upload_id, std::move(parts), size);
  if (!st.ok()) Abort(dst_key, upload_id);
  return st;
}

}  // namespace mv::s3
