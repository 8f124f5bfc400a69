// ObjectStore: the one seam between mirrorvault and where bytes live (memory, local disk, S3).
//
// Keys are UTF-8 strings of 1..1024 bytes without NUL, not starting with '/', with no empty,
// "." or ".." segment (ValidateKey). Every implementation is thread-safe: one store object is
// shared by all the threads of a process.
//
// Status codes callers rely on:
//   NotFound            the key (or the bucket/folder) does not exist
//   PreconditionFailed  PutOptions::if_absent and the key exists
//   Corruption          PutOptions::expected_sha256 did not match the bytes (nothing was written)
//   PermissionDenied    credentials refused
//   InvalidArgument     a bad key, range or option
//   Unavailable         transport failures and server overload, retryable() once retries ran out
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/io.h"
#include "util/status.h"

namespace mv::store {

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  // Opaque version tag (S3 ETag without quotes; hex digest or mtime-derived tag elsewhere).
  std::string etag;
  std::chrono::system_clock::time_point last_modified;
  // User metadata (x-amz-meta-*); keys lower-case. Filled by Head, not by List.
  std::map<std::string, std::string> metadata;
};

struct PutOptions {
  // Lower-case hex SHA-256 the bytes must have; verified before the object becomes visible.
  std::optional<std::string> expected_sha256;
  // Fail with PreconditionFailed when the key already exists (atomic where supported).
  bool if_absent = false;
  std::map<std::string, std::string> metadata;
  std::string content_type;
};

// A byte range [first, last], inclusive as in HTTP.
struct ByteRange {
  uint64_t first = 0;
  std::optional<uint64_t> last;  // to the end when unset
};

struct GetOptions {
  std::optional<ByteRange> range;
};

struct ListOptions {
  std::string prefix;
  // When set (usually "/"), keys with this after the prefix are rolled up into common_prefixes.
  std::string delimiter;
  // Only keys after this one (exclusive). Pages are returned in strict key (byte) order.
  std::string start_after;
  // The opaque cursor of the previous page (ListPage::next_continuation); overrides start_after.
  std::string continuation;
  int max_keys = 1000;  // objects plus common prefixes per page, at most
};

struct ListPage {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> common_prefixes;
  // Non-empty when more follows: pass it as ListOptions::continuation for the next page. (A
  // plain "last key" cannot resume a delimited listing whose page ended in a common prefix.)
  std::string next_continuation;
};

struct DeleteFailure {
  std::string key;
  Status status;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // The store's URL for messages: never contains a secret.
  virtual std::string Describe() const = 0;

  // --- capabilities (probed at run time where a server may lie) ---
  // if_absent is enforced atomically by the store itself.
  virtual bool SupportsConditionalPut() = 0;
  // DeleteMany is one request per batch rather than one per key.
  virtual bool SupportsBatchDelete() = 0;
  // Copy is done by the store without moving the bytes through this process.
  virtual bool SupportsServerSideCopy() const = 0;

  // --- writes ---
  // Uploads all of `reader` under `key`. No partially written object is ever visible.
  virtual Status Put(const std::string& key, Reader& reader, const PutOptions& options) = 0;
  // Uploads a local file (implementations may split it into parts read in parallel).
  virtual Status PutFile(const std::string& key, const std::string& path,
                         const PutOptions& options);
  Status PutBytes(const std::string& key, std::string_view data, const PutOptions& options = {});

  // --- reads ---
  virtual Status Get(const std::string& key, Writer& writer, const GetOptions& options) = 0;
  // Downloads into `path` through a temporary file and a rename: the file appears whole or not.
  virtual Status GetFile(const std::string& key, const std::string& path,
                         const GetOptions& options);
  Result<std::string> GetBytes(const std::string& key, const GetOptions& options = {});
  virtual Result<ObjectInfo> Head(const std::string& key) = 0;
  virtual Result<ListPage> List(const ListOptions& options) = 0;
  // Lists every page; `visit` returning false stops early.
  Status ListAll(const ListOptions& options, const std::function<bool(const ListPage&)>& visit);

  // --- deletes (deleting a missing key succeeds) ---
  virtual Status Delete(const std::string& key) = 0;
  // Deletes many keys; keys that failed are appended to `failures` (may be null), and the
  // returned status is the first failure's.
  virtual Status DeleteMany(std::span<const std::string> keys,
                            std::vector<DeleteFailure>* failures);

  // Copies within this store (server-side where supported).
  virtual Status Copy(const std::string& src_key, const std::string& dst_key,
                      const PutOptions& options);

  // A URL anyone can GET for `ttl` (S3 presigned URL). InvalidArgument where unsupported.
  virtual Result<std::string> PresignGet(const std::string& key, std::chrono::seconds ttl);
};

// InvalidArgument naming the key and the rule it breaks, or OK.
Status ValidateKey(std::string_view key);

// Parses "bytes=first-last" style arguments: "A-B", "A-", "-N" (last N bytes, needs size).
Result<ByteRange> ParseByteRange(std::string_view spec, std::optional<uint64_t> size);

}  // namespace mv::store
