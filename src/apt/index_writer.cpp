#include "apt/index_writer.h"

#include "util/compress.h"

namespace mv::apt {

std::string FormatParagraph(const Paragraph& p) {
  std::string out;
  for (const Field& f : p.fields()) {
    out += f.name;
    out += ':';
    if (f.value_line > f.line) {
      out += "\n ";
    } else if (!f.value.empty()) {
      out += ' ';
    }
    out += f.value;
    out += '\n';
  }
  return out;
}

Result<std::vector<WrittenFile>> IndexVariants(std::string_view base, std::string_view text) {
  std::vector<WrittenFile> out;
  out.push_back({.path = std::string(base), .bytes = std::string(text)});
  for (auto [ext, compression] :
       {std::pair{".xz", Compression::kXz}, std::pair{".gz", Compression::kGzip}}) {
    MV_ASSIGN_OR_RETURN(std::string bytes, Compress(text, compression));
    out.push_back({.path = std::string(base) + ext, .bytes = std::move(bytes)});
  }
  return out;
}

}  // namespace mv::apt
