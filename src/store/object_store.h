// ObjectStore: the one seam between mirrorvault and where bytes live (memory, local disk, S3).
//
// Keys are UTF-8 strings of 1..1024 bytes without NUL, not starting with '/', with no empty,
// "." or ".." segment (ValidateKey); a key may end in '/' ("dir/" is a key of its own). Keys
// compare as byte strings (std::string's operator<). Every implementation is thread-safe: one
// store object is shared by all the threads of a process. An operation given an invalid key
// fails with InvalidArgument (Delete too: it never reports success for a key it cannot hold).
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
  // PutOptions::content_type as stored (empty when none was given). Filled by Head, not by List.
  std::string content_type;
};

struct PutOptions {
  // Lower-case hex SHA-256 the bytes must have; verified before the object becomes visible.
  std::optional<std::string> expected_sha256;
  // Fail with PreconditionFailed when the key already exists (atomic where supported).
  bool if_absent = false;
  // Replaces the object's metadata (none: the new object has none). Keys are stored lower-cased,
  // as S3 does with x-amz-meta-* header names.
  std::map<std::string, std::string> metadata;
  std::string content_type;
  // The store may return before the object is durable (no fsync per object); a later Sync()
  // makes every such object durable. For many small objects written before one commit point.
  bool defer_sync = false;
  // With defer_sync: the store may start writing the bytes to disk now, without waiting for
  // it, so that the later Sync() finds little left (a local store: sync_file_range(2)).
  bool start_writeback = false;
};

// A byte range [first, last], inclusive as in HTTP. A `last` past the end is clamped to the last
// byte; a `first` past the last byte (any range of an empty object) or `last` < `first` is
// InvalidArgument, as S3 answers 416.
struct ByteRange {
  uint64_t first = 0;
  std::optional<uint64_t> last;  // to the end when unset
};

struct GetOptions {
  std::optional<ByteRange> range;
  // The object's size when the caller already knows it (from a listing or a Head). Only a hint
  // for choosing how to download (a store may skip its own Head); the bytes delivered are always
  // the object's current ones, whatever their number.
  std::optional<uint64_t> size_hint;
  // At most this many attempts at a transient failure (a reader with a client waiting, who is
  // better served by a quick error than by the store's patient retries); 0: the store's policy.
  int max_attempts = 0;
};

struct ListOptions {
  std::string prefix;
  // When set (usually "/"), keys with this after the prefix are rolled up into common_prefixes.
  std::string delimiter;
  // Resume after this key (exclusive). Pages are returned in strict key (byte) order. With a
  // delimiter, keys rolled up into a common prefix <= start_after are skipped too, so a common
  // prefix returned as next_start_after is not repeated on the next page.
  std::string start_after;
  // Upper bound on objects plus common prefixes in one page; < 1 is InvalidArgument. A store may
  // return fewer (S3 caps pages at 1000) and still set next_start_after.
  int max_keys = 1000;
};

struct ListPage {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> common_prefixes;
  // Non-empty when more follows: pass it as ListOptions::start_after for the next page.
  std::string next_start_after;
};

// Where a server could read an object for a copy into another store (S3's x-amz-copy-source).
struct CopySource {
  // The service and the identity the copy is authorised with: two stores can copy between each
  // other server-side only when these are equal.
  std::string service;
  std::string path;  // "/bucket/prefix+key", decoded
};

struct DeleteFailure {
  std::string key;
  Status status;
};

// A write whose key is chosen after its bytes are written (content addressing in one pass: the
// writer hashes what it streams, then names the object by the hash). Not visible under any key
// until Commit; discarded when destroyed uncommitted. Used by one thread.
class StagedPut {
 public:
  virtual ~StagedPut() = default;
  // Gives the bytes their key, with PutOptions' if_absent and defer_sync (metadata, content type
  // and expected_sha256 are not supported: InvalidArgument). Once only.
  virtual Status Commit(const std::string& key, const PutOptions& options) = 0;
};

// A staged write fed by the caller's Write calls (a download, stored as it arrives), named by
// Commit like any StagedPut.
class StagedWriter : public Writer, public StagedPut {};

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
  // Stage() is supported (a local store: a temporary file renamed onto its key).
  virtual bool SupportsStaging() const { return false; }

  // --- writes ---
  // Uploads all of `reader` under `key`. No partially written object is ever visible.
  virtual Status Put(const std::string& key, Reader& reader, const PutOptions& options) = 0;
  // Uploads a local file (implementations may split it into parts read in parallel).
  virtual Status PutFile(const std::string& key, const std::string& path,
                         const PutOptions& options);
  Status PutBytes(const std::string& key, std::string_view data, const PutOptions& options = {});
  // Writes all of `reader` to a hidden temporary object, to be named by StagedPut::Commit.
  // InvalidArgument unless SupportsStaging().
  virtual Result<std::unique_ptr<StagedPut>> Stage(Reader& reader);
  // The same, for bytes pushed by the caller. InvalidArgument unless SupportsStaging().
  virtual Result<std::unique_ptr<StagedWriter>> StageWriter();

  // --- reads ---
  // Writes the object (or the range) to `writer`. On failure the writer may already have
  // received a prefix of the bytes; the writer's own error is returned as is.
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

  // Copies within this store (server-side where supported). The copy keeps the source's metadata
  // and content type unless `options` gives metadata or a content type, which then replace both
  // (S3's COPY and REPLACE metadata directives). expected_sha256 is checked against the source's
  // bytes; if_absent applies to `dst_key`. NotFound names `src_key` when it is missing.
  virtual Status Copy(const std::string& src_key, const std::string& dst_key,
                      const PutOptions& options);

  // Where `key` can be copied from by a server (CopyFrom on another store of the same service);
  // nullopt for stores no server reads (memory, folders).
  virtual std::optional<CopySource> CopySourceOf(const std::string& key) const;
  // Copies `src_key` of `source` (`size` bytes) to `dst_key` of this store by the server, the bytes
  // never passing through this process; metadata, content type and if_absent as for Copy. The
  // server does not hash the bytes, so expected_sha256 is refused: callers copy content-addressed
  // blobs, which their store verified when they were written. InvalidArgument when the two stores
  // do not share a service (the caller then streams the bytes itself).
  virtual Status CopyFrom(const ObjectStore& source, const std::string& src_key,
                          const std::string& dst_key, uint64_t size, const PutOptions& options);

  // Makes every object written with PutOptions::defer_sync durable (a local store: syncfs(2) of
  // its filesystem). Stores whose writes are durable when they return do nothing.
  virtual Status Sync() { return Status::Ok(); }

  // A URL anyone can GET for `ttl` (S3 presigned URL). InvalidArgument where unsupported.
  virtual Result<std::string> PresignGet(const std::string& key, std::chrono::seconds ttl);

  // Lets anyone read the store's objects without credentials, from any address (`cidrs` empty)
  // or only from those ranges, and returns the rule as the server now holds it, read back (S3: the
  // bucket policy, which this replaces, covering the store's prefix). InvalidArgument where the
  // store has no such notion (a folder: its web server decides who reads it).
  virtual Result<std::string> AllowAnonymousRead(const std::vector<std::string>& cidrs);
};

// InvalidArgument naming the key and the rule it breaks, or OK.
Status ValidateKey(std::string_view key);

// Parses "bytes=first-last" style arguments: "A-B", "A-", "-N" (last N bytes, needs size).
Result<ByteRange> ParseByteRange(std::string_view spec, std::optional<uint64_t> size);

}  // namespace mv::store
