// Hashing with OpenSSL's EVP (which uses the CPU's SHA instructions).
//
// ContentHasher computes SHA-256 and SHA-1 over the same bytes in one pass (SHA-256 names every
// stored object; SHA-1 is what snapshot.debian.org's clients ask for); MD5 only when asked for
// (apt's legacy fields), because it costs more than the other two together.
// Not thread-safe; one per stream.
//
// Digests are raw bytes (archive/ids.h's Sha256 and Sha1 are the same types); hex is for the
// edges (keys, messages, wire formats): DigestHex.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "util/encoding.h"
#include "util/io.h"
#include "util/status.h"

namespace mv {

using Sha256Digest = std::array<uint8_t, 32>;
using Sha1Digest = std::array<uint8_t, 20>;
using Md5Digest = std::array<uint8_t, 16>;

struct Digests {
  Sha256Digest sha256{};
  Sha1Digest sha1{};
  std::optional<Md5Digest> md5;  // only when requested
  uint64_t size = 0;
};

// Lower-case hex of a raw digest.
std::string DigestHex(std::span<const uint8_t> digest);

class ContentHasher {
 public:
  explicit ContentHasher(bool with_md5 = false);
  ~ContentHasher();
  ContentHasher(const ContentHasher&) = delete;
  ContentHasher& operator=(const ContentHasher&) = delete;

  void Update(std::string_view data);
  // Finishes and returns the digests; the hasher is reset for reuse.
  Digests Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// SHA-256 alone, streaming (verification of an expected digest).
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  void Update(std::string_view data);
  // Lower-case hex; the hasher is reset for reuse.
  std::string FinishHex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One-shot digests (lower-case hex unless noted).
std::string Sha256Hex(std::string_view data);
std::array<uint8_t, 32> Sha256(std::string_view data);
std::array<uint8_t, 32> HmacSha256(std::string_view key, std::string_view data);
// Base64 of the MD5 digest (the Content-MD5 header).
std::string Md5Base64(std::string_view data);

// Streams `reader` through a ContentHasher.
Result<Digests> HashStream(Reader& reader, bool with_md5 = false);
Result<Digests> HashFile(const std::string& path, bool with_md5 = false);

// A Writer that hashes what passes through it on the way to `next` (may be null).
class HashingWriter final : public Writer {
 public:
  explicit HashingWriter(Writer* next, bool with_md5 = false) : next_(next), hasher_(with_md5) {}
  Status Write(std::string_view data) override;
  Digests Finish() { return hasher_.Finish(); }

 private:
  Writer* next_;
  ContentHasher hasher_;
};

}  // namespace mv
