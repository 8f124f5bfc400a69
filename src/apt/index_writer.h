// Writing apt indexes: deb822 paragraphs back to text, and an index's compressed variants. The
// building blocks of every index mirrorvault writes itself (a partial mirror's derived view;
// later, views made of several runs). Release files are release_writer.h's.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "apt/deb822.h"
#include "util/status.h"

namespace mv::apt {

// A file mirrorvault writes into a suite: its path relative to dists/<suite>/ and its bytes.
struct WrittenFile {
  std::string path;
  std::string bytes;
};

// The paragraph as deb822 text, its fields in the order read, ending with "\n" (no blank line):
// "Name: value" with continuation lines as read (a value that started on a continuation line
// starts on one again). ParseParagraphs(FormatParagraph(p)) gives p's fields back, except that a
// value holding a carriage return may lose it where it comes before a line end ("\r\n" reads
// as "\n"); real indexes hold none.
std::string FormatParagraph(const Paragraph& p);

// The variants of one index apt is offered: `base` itself, `base`.xz and `base`.gz
// ("main/binary-amd64/Packages" gives ".../Packages", ".../Packages.xz" and ".../Packages.gz"),
// compressed deterministically. The plain one is not optional: apt looks an index up in the
// Release by its uncompressed name (and checks the decompressed bytes against that entry), so a
// Release listing only compressed variants makes apt skip the index silently.
Result<std::vector<WrittenFile>> IndexVariants(std::string_view base, std::string_view text);

}  // namespace mv::apt
