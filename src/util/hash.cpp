#include "util/hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

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

std::string FinishHex(EVP_MD_CTX* ctx, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, out, &len);
  EVP_DigestInit_ex(ctx, md, nullptr);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(out), len));
}

}  // namespace

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
  d.sha256 = FinishHex(impl_->sha256.get(), EVP_sha256());
  d.sha1 = FinishHex(impl_->sha1.get(), EVP_sha1());
  if (impl_->md5) d.md5 = FinishHex(impl_->md5.get(), EVP_md5());
  d.size = impl_->size;
  impl_->size = 0;
  return d;
}

std::array<uint8_t, 32> Sha256(std::string_view data) {
  std::array<uint8_t, 32> out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

std::string Sha256Hex(std::string_view data) {
  auto raw = Sha256(data);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
}

std::array<uint8_t, 32> HmacSha256(std::string_view key, std::string_view data) {
  std::array<uint8_t, 32> out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return out;
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

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 0xf];
  }
  return out;
}

Result<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return InvalidArgument("hex string of odd length");
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return InvalidArgument("not a hex digit in \"" + std::string(hex) + "\"");
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return out;
}

bool IsSha256Hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace mv
