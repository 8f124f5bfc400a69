#include "apt/deb822.h"

#include <strings.h>

namespace mv::apt {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// A line shown in a message: at most 60 bytes, control bytes escaped.
std::string Shown(std::string_view line) {
  std::string out;
  for (char c : line.substr(0, 60)) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[(static_cast<unsigned char>(c) >> 4) & 0xf];
      out += kHex[static_cast<unsigned char>(c) & 0xf];
    } else {
      out += c;
    }
  }
  if (line.size() > 60) out += "...";
  return out;
}

}  // namespace

class ParagraphBuilder {
 public:
  static std::vector<Field>& fields(Paragraph& p) { return p.fields_; }
  static void set_line(Paragraph& p, size_t line) { p.line_ = line; }
};

const Field* Paragraph::Find(std::string_view name) const {
  for (const Field& f : fields_) {
    if (SameName(f.name, name)) return &f;
  }
  return nullptr;
}

std::optional<std::string_view> Paragraph::Get(std::string_view name) const {
  const Field* f = Find(name);
  if (f == nullptr) return std::nullopt;
  return std::string_view(f->value);
}

Result<std::string_view> Paragraph::Require(std::string_view name, std::string_view where) const {
  const Field* f = Find(name);
  if (f == nullptr || f->value.empty()) {
    return InvalidArgument(std::string(where) + ": the paragraph at line " + std::to_string(line_) +
                           " has " + (f == nullptr ? "no " : "an empty ") + std::string(name) +
                           " field");
  }
  return std::string_view(f->value);
}

Status ForEachParagraph(std::string_view text, std::string_view where,
                        const std::function<Status(const Paragraph&)>& visit) {
  auto error = [&](size_t line, const std::string& what) {
    return InvalidArgument(std::string(where) + " line " + std::to_string(line) + ": " + what);
  };
  Paragraph current;
  std::vector<Field>& fields = ParagraphBuilder::fields(current);
  auto flush = [&]() -> Status {
    if (fields.empty()) return Status::Ok();
    Status st = visit(current);
    fields.clear();
    return st;
  };
  size_t pos = 0;
  size_t line_no = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\0') != std::string_view::npos) return error(line_no, "a NUL byte");
    if (TrimBlanks(line).empty()) {
      MV_RETURN_IF_ERROR(flush());
      continue;
    }
    if (IsBlank(line.front())) {
      if (fields.empty()) {
        return error(line_no,
                     "\"" + Shown(line) + "\" continues a field, but no field comes before it");
      }
      Field& f = fields.back();
      std::string_view kept = line;
      while (!kept.empty() && IsBlank(kept.back())) kept.remove_suffix(1);
      if (f.value.empty()) {
        // A value that starts on the next line ("SHA256:\n <hash> ..."): as apt, its leading
        // blanks and line break are not part of it.
        f.value = TrimBlanks(kept);
        f.value_line = line_no;
      } else {
        f.value += '\n';
        f.value += kept;
      }
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return error(line_no, "\"" + Shown(line) + "\" is not a field (Name: value)");
    }
    std::string_view name = line.substr(0, colon);
    if (name.empty()) return error(line_no, "\"" + Shown(line) + "\" has no field name");
    if (name.find_first_of(" \t") != std::string_view::npos) {
      return error(line_no, "the field name \"" + Shown(name) + "\" contains a blank");
    }
    for (const Field& f : fields) {
      if (SameName(f.name, name)) {
        return error(line_no, "the field " + std::string(name) + " is given twice (first at line " +
                                  std::to_string(f.line) + ")");
      }
    }
    if (fields.empty()) ParagraphBuilder::set_line(current, line_no);
    fields.push_back(
        {std::string(name), std::string(TrimBlanks(line.substr(colon + 1))), line_no, line_no});
  }
  return flush();
}

Result<std::vector<Paragraph>> ParseParagraphs(std::string_view text, std::string_view where) {
  std::vector<Paragraph> out;
  MV_RETURN_IF_ERROR(ForEachParagraph(text, where, [&](const Paragraph& p) {
    out.push_back(p);
    return Status::Ok();
  }));
  return out;
}

std::vector<std::string_view> Words(std::string_view value) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && (IsBlank(value[i]) || value[i] == '\n')) ++i;
    size_t start = i;
    while (i < value.size() && !IsBlank(value[i]) && value[i] != '\n') ++i;
    if (i > start) out.push_back(value.substr(start, i - start));
  }
  return out;
}

std::vector<std::string_view> Lines(std::string_view value) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t nl = value.find('\n', pos);
    std::string_view line = TrimBlanks(
        value.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    if (!line.empty()) out.push_back(line);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return out;
}

}  // namespace mv::apt
