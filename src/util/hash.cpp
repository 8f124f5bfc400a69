#include "util/hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace mv {
namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

MdCtx NewCtx(const EVP_MD* md) {
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) std::abort();
  return ctx;
}

// Finishes `ctx` into `out` (whose size is the digest's) and starts it again for reuse.
void FinishInto(EVP_MD_CTX* ctx, const EVP_MD* md, std::span<uint8_t> out) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, digest, &len);
  EVP_DigestInit_ex(ctx, md, nullptr);
  if (len != out.size()) std::abort();
  std::copy(digest, digest + len, out.begin());
}

}  // namespace

std::string DigestHex(std::span<const uint8_t> digest) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

struct ContentHasher::Impl {
  MdCtx sha256 = NewCtx(EVP_sha256());
  MdCtx sha1 = NewCtx(EVP_sha1());
  MdCtx md5;
  uint64_t size = 0;
};

ContentHasher::ContentHasher(bool with_md5) : impl_(std::make_unique<Impl>()) {
  if (with_md5) impl_->md5 = NewCtx(EVP_md5());
}

ContentHasher::~ContentHasher() = default;

void ContentHasher::Update(std::string_view data) {
  // Interleave in cache-sized slices so each byte is read from memory once for all digests.
  constexpr size_t kSlice = 16 * 1024;
  while (!data.empty()) {
    std::string_view part = data.substr(0, kSlice);
    EVP_DigestUpdate(impl_->sha256.get(), part.data(), part.size());
    EVP_DigestUpdate(impl_->sha1.get(), part.data(), part.size());
    if (impl_->md5) EVP_DigestUpdate(impl_->md5.get(), part.data(), part.size());
    data.remove_prefix(part.size());
    impl_->size += part.size();
  }
}

Digests ContentHasher::Finish() {
  Digests d;
  FinishInto(impl_->sha256.get(), EVP_sha256(), d.sha256);
  FinishInto(impl_->sha1.get(), EVP_sha1(), d.sha1);
  if (impl_->md5) FinishInto(impl_->md5.get(), EVP_md5(), d.md5.emplace());
  d.size = impl_->size;
  impl_->size = 0;
  return d;
}

struct Sha256Hasher::Impl {
  MdCtx ctx = NewCtx(EVP_sha256());
};

Sha256Hasher::Sha256Hasher() : impl_(std::make_unique<Impl>()) {}
Sha256Hasher::~Sha256Hasher() = default;

void Sha256Hasher::Update(std::string_view data) {
  EVP_DigestUpdate(impl_->ctx.get(), data.data(), data.size());
}

std::string Sha256Hasher::FinishHex() {
  Sha256Digest digest;
  FinishInto(impl_->ctx.get(), EVP_sha256(), digest);
  return DigestHex(digest);
}

std::array<uint8_t, 32> Sha256(std::string_view data) {
  std::array<uint8_t, 32> out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

std::string Sha256Hex(std::string_view data) { return DigestHex(Sha256(data)); }

std::array<uint8_t, 32> HmacSha256(std::string_view key, std::string_view data) {
  std::array<uint8_t, 32> out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return out;
}

std::string Md5Base64(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_md5(), nullptr);
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(out), len));
}

Result<Digests> HashStream(Reader& reader, bool with_md5) {
  ContentHasher hasher(with_md5);
  std::vector<char> buf(1 << 20);
  for (;;) {
    MV_ASSIGN_OR_RETURN(size_t n, reader.Read(buf.data(), buf.size()));
    if (n == 0) return hasher.Finish();
    hasher.Update(std::string_view(buf.data(), n));
  }
}

Result<Digests> HashFile(const std::string& path, bool with_md5) {
  MV_ASSIGN_OR_RETURN(auto reader, OpenFileReader(path));
  return HashStream(*reader, with_md5);
}

Status HashingWriter::Write(std::string_view data) {
  hasher_.Update(data);
  return next_ != nullptr ? next_->Write(data) : Status::Ok();
}

}  // namespace mv
