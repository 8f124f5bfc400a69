#include "store/object_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <random>

#include "util/encoding.h"

namespace mv::store {

Result<std::unique_ptr<StagedPut>> ObjectStore::Stage(Reader&) {
  return InvalidArgument("store " + Describe() + " cannot stage writes");
}

Result<std::unique_ptr<StagedWriter>> ObjectStore::StageWriter() {
  return InvalidArgument("store " + Describe() + " cannot stage writes");
}

Status ObjectStore::PutFile(const std::string& key, const std::string& path,
                            const PutOptions& options) {
  MV_ASSIGN_OR_RETURN(auto reader, OpenFileReader(path));
  return Put(key, *reader, options);
}

Status ObjectStore::PutBytes(const std::string& key, std::string_view data,
                             const PutOptions& options) {
  auto reader = MakeStringReader(data);
  return Put(key, *reader, options);
}

Status ObjectStore::GetFile(const std::string& key, const std::string& path,
                            const GetOptions& options) {
  std::string tmp = TempSiblingPath(path);
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) return ErrnoStatus(errno, "create " + tmp);
  auto writer = MakeFdWriter(fd.get(), path);
  Status st = Get(key, *writer, options);
  return MoveTempFileIntoPlace(fd, tmp, path, std::move(st));
}

Result<std::string> ObjectStore::GetBytes(const std::string& key, const GetOptions& options) {
  std::string out;
  // Grown once, not by doubling: a large index read whole would be copied again at each step.
  constexpr uint64_t kMostReserved = 1ull << 30;
  if (options.size_hint && !options.range) {
    out.reserve(static_cast<size_t>(std::min(*options.size_hint, kMostReserved)));
  }
  auto writer = MakeStringWriter(&out);
  MV_RETURN_IF_ERROR(Get(key, *writer, options));
  return out;
}

Status ObjectStore::ListAll(const ListOptions& options,
                            const std::function<bool(const ListPage&)>& visit) {
  ListOptions page_options = options;
  for (;;) {
    MV_ASSIGN_OR_RETURN(ListPage page, List(page_options));
    if (!visit(page)) return Status::Ok();
    if (page.next_start_after.empty()) return Status::Ok();
    if (page.next_start_after <= page_options.start_after) {
      return Internal(Describe() + ": listing did not advance past \"" + page_options.start_after +
                      "\"");
    }
    page_options.start_after = page.next_start_after;
  }
}

Status ObjectStore::DeleteMany(std::span<const std::string> keys,
                               std::vector<DeleteFailure>* failures) {
  Status first;
  for (const std::string& key : keys) {
    Status st = Delete(key);
    if (st.ok()) continue;
    if (failures != nullptr) failures->push_back({key, st});
    if (first.ok()) first = st;
  }
  return first;
}

Status ObjectStore::Copy(const std::string& src_key, const std::string& dst_key,
                         const PutOptions& options) {
  MV_ASSIGN_OR_RETURN(ObjectInfo src, Head(src_key));
  MV_ASSIGN_OR_RETURN(std::string data, GetBytes(src_key));
  if (options.metadata.empty() && options.content_type.empty()) {
    PutOptions with_source_metadata = options;
    with_source_metadata.metadata = std::move(src.metadata);
    with_source_metadata.content_type = std::move(src.content_type);
    return PutBytes(dst_key, data, with_source_metadata);
  }
  return PutBytes(dst_key, data, options);
}

std::optional<CopySource> ObjectStore::CopySourceOf(const std::string&) const {
  return std::nullopt;
}

Status ObjectStore::CopyFrom(const ObjectStore& source, const std::string& src_key,
                             const std::string& dst_key, uint64_t, const PutOptions&) {
  return InvalidArgument("no server-side copy from " + source.Describe() + " (key " + src_key +
                         ") to " + Describe() + " (key " + dst_key + ")");
}

Result<std::string> ObjectStore::PresignGet(const std::string& key, std::chrono::seconds) {
  return InvalidArgument(Describe() + " cannot presign URLs (key " + key + ")");
}

Result<std::string> ObjectStore::AllowAnonymousRead(const std::vector<std::string>&) {
  return InvalidArgument(Describe() + " cannot grant anonymous reads (only S3 stores can)");
}

Status ValidateKey(std::string_view key) {
  auto bad = [&](std::string_view why) {
    return InvalidArgument("invalid object key \"" + std::string(key) + "\": " + std::string(why));
  };
  if (key.empty()) return bad("empty");
  if (key.size() > 1024) return bad("longer than 1024 bytes");
  if (key.front() == '/') return bad("starts with '/'");
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view seg = key.substr(start, end - start);
    if (seg.empty() && end != key.size()) return bad("contains an empty path segment");
    if (seg == "." || seg == "..") return bad("contains a '.' or '..' segment");
    start = end + 1;
  }
  for (unsigned char c : key) {
    if (c == 0) return bad("contains a NUL byte");
    if (c < 0x20 || c == 0x7f) return bad("contains a control character");
  }
  if (!IsValidUtf8(key)) return bad("is not valid UTF-8");
  return Status::Ok();
}

Result<ByteRange> ParseByteRange(std::string_view spec, std::optional<uint64_t> size) {
  auto bad = [&] { return InvalidArgument("invalid byte range \"" + std::string(spec) + "\""); };
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return bad();
  auto parse = [](std::string_view s, uint64_t* out) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && p == s.data() + s.size();
  };
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  ByteRange r;
  if (a.empty()) {
    uint64_t n = 0;
    if (!parse(b, &n) || n == 0) return bad();
    if (!size) return InvalidArgument("a suffix range needs the object's size");
    r.first = n >= *size ? 0 : *size - n;
    if (*size > 0) r.last = *size - 1;
    return r;
  }
  if (!parse(a, &r.first)) return bad();
  if (!b.empty()) {
    uint64_t last = 0;
    if (!parse(b, &last) || last < r.first) return bad();
    r.last = last;
  }
  return r;
}

}  // namespace mv::store
