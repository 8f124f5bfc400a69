#include "archive/ids.h"

#include <cstring>

#include "util/encoding.h"
#include "util/hash.h"

namespace mv::archive {
namespace {

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

template <size_t N>
Result<std::array<uint8_t, N>> ParseDigestHex(std::string_view hex, std::string_view what) {
  if (hex.size() != 2 * N || !IsLowerHex(hex)) {
    return InvalidArgument(std::string(what) + " \"" + std::string(hex.substr(0, 200)) +
                           "\" is not " + std::to_string(2 * N) + " lower-case hex digits");
  }
  auto raw = HexDecode(hex);
  if (!raw.ok()) return raw.status();
  std::array<uint8_t, N> out;
  std::memcpy(out.data(), raw->data(), N);
  return out;
}

template <size_t N>
Result<std::array<uint8_t, N>> DigestFromBytes(std::string_view bytes, std::string_view what) {
  if (bytes.size() != N) {
    return Corruption(std::string(what) + " has " + std::to_string(bytes.size()) +
                      " bytes, expected " + std::to_string(N));
  }
  std::array<uint8_t, N> out;
  std::memcpy(out.data(), bytes.data(), N);
  return out;
}

bool IsArchiveNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '+' || c == '-';
}

Status BadKey(std::string_view key, std::string_view shape) {
  return InvalidArgument("object key \"" + std::string(key.substr(0, 300)) + "\" is not " +
                         std::string(shape));
}

}  // namespace

std::string ToHex(const Sha256& digest) { return HexEncode(AsBytes(digest)); }
std::string ToHex(const Sha1& digest) { return HexEncode(AsBytes(digest)); }

std::string_view AsBytes(const Sha256& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}
std::string_view AsBytes(const Sha1& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

Result<Sha256> ParseSha256(std::string_view hex, std::string_view what) {
  return ParseDigestHex<32>(hex, what);
}
Result<Sha1> ParseSha1(std::string_view hex, std::string_view what) {
  return ParseDigestHex<20>(hex, what);
}
Result<Sha256> Sha256FromBytes(std::string_view bytes, std::string_view what) {
  return DigestFromBytes<32>(bytes, what);
}
Result<Sha1> Sha1FromBytes(std::string_view bytes, std::string_view what) {
  return DigestFromBytes<20>(bytes, what);
}

Sha256 Sha256Of(std::string_view data) { return ::mv::Sha256(data); }

Status ValidateArchiveName(std::string_view name) {
  std::string quoted = "archive name \"" + std::string(name.substr(0, 100)) + "\"";
  if (name.empty()) return InvalidArgument("archive name is empty");
  if (name.size() > 64) {
    return InvalidArgument(quoted + " is longer than 64 characters");
  }
  for (char c : name) {
    if (!IsArchiveNameChar(c)) {
      return InvalidArgument(quoted + " has a character outside [A-Za-z0-9._+-]");
    }
  }
  char first = name.front();
  if (first == '.' || first == '_' || first == '+' || first == '-') {
    return InvalidArgument(quoted + " does not start with a letter or digit");
  }
  return Status::Ok();
}

std::string BlobKey(const Sha256& digest) {
  std::string hex = ToHex(digest);
  std::string key(kBlobsPrefix);
  key += hex.substr(0, 2);
  key += '/';
  key += hex.substr(2, 2);
  key += '/';
  key += hex;
  return key;
}

std::string TreeKey(const Sha256& digest) {
  std::string hex = ToHex(digest);
  std::string key(kTreesPrefix);
  key += hex.substr(0, 2);
  key += '/';
  key += hex;
  return key;
}

std::string RunsPrefix(std::string_view archive) {
  std::string key(kRunsPrefix);
  key += archive;
  key += '/';
  return key;
}

std::string RunKey(std::string_view archive, const RunId& run_id) {
  return RunsPrefix(archive) + run_id.ToString() + ".json";
}

std::string TombstonesPrefix(std::string_view archive) {
  std::string key(kTombstonesPrefix);
  key += archive;
  key += '/';
  return key;
}

std::string TombstoneKey(std::string_view archive, const RunId& run_id) {
  return TombstonesPrefix(archive) + run_id.ToString() + ".json";
}

namespace {

// `prefix`, then one "<2 hex>/" folder per level (the hash's leading digits, in order), then the
// 64 hex digits of the SHA-256.
Result<Sha256> ParseShardedKey(std::string_view key, std::string_view prefix, size_t levels,
                               std::string_view shape, std::string_view what) {
  if (key.size() != prefix.size() + 3 * levels + 64 || !key.starts_with(prefix)) {
    return BadKey(key, shape);
  }
  std::string_view rest = key.substr(prefix.size());
  std::string_view hex = rest.substr(3 * levels);
  for (size_t i = 0; i < levels; ++i) {
    if (rest[3 * i + 2] != '/' || rest.substr(3 * i, 2) != hex.substr(2 * i, 2)) {
      return BadKey(key, shape);
    }
  }
  if (!IsSha256Hex(hex)) return BadKey(key, shape);
  return ParseSha256(hex, what);
}

}  // namespace

Result<Sha256> ParseBlobKey(std::string_view key) {
  return ParseShardedKey(key, kBlobsPrefix, 2, "blobs/<h0h1>/<h2h3>/<sha256>", "blob key");
}

Result<Sha256> ParseTreeKey(std::string_view key) {
  return ParseShardedKey(key, kTreesPrefix, 1, "trees/<h0h1>/<sha256>", "tree key");
}

namespace {

// "<prefix><archive>/<run id>.json".
Result<RunKeyParts> ParseArchiveRunKey(std::string_view key, std::string_view prefix,
                                       std::string_view shape) {
  constexpr std::string_view kSuffix = ".json";
  if (!key.starts_with(prefix) || !key.ends_with(kSuffix)) return BadKey(key, shape);
  std::string_view rest = key.substr(prefix.size());
  rest.remove_suffix(kSuffix.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return BadKey(key, shape);
  std::string_view archive = rest.substr(0, slash);
  std::string_view run = rest.substr(slash + 1);
  if (Status s = ValidateArchiveName(archive); !s.ok()) {
    return InvalidArgument("object key \"" + std::string(key.substr(0, 300)) +
                           "\": " + s.message());
  }
  auto run_id = RunId::Parse(run);
  if (!run_id.ok()) {
    return InvalidArgument("object key \"" + std::string(key.substr(0, 300)) +
                           "\": " + run_id.status().message());
  }
  return RunKeyParts{.archive = std::string(archive), .run_id = *run_id};
}

}  // namespace

Result<RunKeyParts> ParseRunKey(std::string_view key) {
  return ParseArchiveRunKey(key, kRunsPrefix, "runs/<archive>/<YYYYMMDDTHHMMSSZ>.json");
}

Result<RunKeyParts> ParseTombstoneKey(std::string_view key) {
  return ParseArchiveRunKey(key, kTombstonesPrefix, "tombstones/<archive>/<YYYYMMDDTHHMMSSZ>.json");
}

}  // namespace mv::archive
