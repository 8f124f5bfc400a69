#include "apt/content_type.h"

namespace mv::apt {

std::string ContentTypeFor(std::string_view name) {
  auto ends = [&](std::string_view suffix) { return name.ends_with(suffix); };
  if (ends(".deb") || ends(".udeb") || ends(".ddeb"))
    return "application/vnd.debian.binary-package";
  if (ends(".dsc") || ends(".changes") || ends(".buildinfo")) return "text/plain; charset=utf-8";
  if (ends(".gz")) return "application/gzip";
  if (ends(".xz")) return "application/x-xz";
  if (ends(".bz2")) return "application/x-bzip2";
  if (ends(".lzma")) return "application/x-lzma";
  if (ends(".zst")) return "application/zstd";
  if (ends(".html") || ends(".htm")) return "text/html; charset=utf-8";
  if (ends(".json")) return "application/json";
  if (ends(".gpg") || ends(".asc") || ends(".sig")) return "application/pgp-signature";
  if (ends(".txt") || name == "Release" || name == "InRelease" || name == "Packages" ||
      name == "Sources" || name == "Index" || name.starts_with("Contents-") ||
      name.starts_with("Translation-") || name == "MD5SUMS" || name == "SHA256SUMS" ||
      name == "README") {
    return "text/plain; charset=utf-8";
  }
  return "application/octet-stream";
}

}  // namespace mv::apt
