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
// starts on one again). ParseParagraphs(FormatParagraph(p)) gives p's fields back.
std::string FormatParagraph(const Paragraph& p);

// The variants of one index apt is offered: `base`.xz and `base`.gz ("main/binary-amd64/Packages"
// gives ".../Packages.xz" and ".../Packages.gz"), each compressed deterministically.
Result<std::vector<WrittenFile>> CompressedIndex(std::string_view base, std::string_view text);

}  // namespace mv::apt
