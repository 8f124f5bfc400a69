#include "apt/deb822.h"

#include <strings.h>

#include <algorithm>
#include <cctype>

#include "util/line_finder.h"

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

// The line of `text` at `pos` without its line break ("\n" or "\r\n"); `pos` moves past it.
std::string_view NextLine(std::string_view text, size_t& pos) {
  const size_t nl = text.find('\n', pos);
  std::string_view line =
      text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
  pos = nl == std::string_view::npos ? text.size() : nl + 1;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
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
                        const std::function<Status(const Paragraph&)>& visit, size_t first_line) {
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
  size_t line_no = first_line - 1;
  while (pos < text.size()) {
    const std::string_view line = NextLine(text, pos);
    ++line_no;
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

Status ScanParagraphs(std::string_view text, std::string_view where,
                      std::span<const std::string_view> names,
                      const std::function<Status(const ScannedParagraph&)>& visit) {
  auto error = [&](size_t line, const std::string& what) {
    return InvalidArgument(std::string(where) + " line " + std::to_string(line) + ": " + what);
  };
  if (size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return error(1 + static_cast<size_t>(std::count(text.begin(), text.begin() + nul, '\n')),
                 "a NUL byte");
  }
  std::vector<std::string_view> values(names.size());
  std::vector<size_t> value_lines(names.size(), 0);
  size_t start = std::string_view::npos;  // of the current paragraph
  size_t start_line = 0;
  size_t last = std::string_view::npos;  // the field asked for that the last field line gave
  auto flush = [&](size_t end) -> Status {
    if (start == std::string_view::npos) return Status::Ok();
    Status st =
        visit({.text = text.substr(start, end - start), .line = start_line, .values = values});
    start = std::string_view::npos;
    std::fill(values.begin(), values.end(), std::string_view());
    std::fill(value_lines.begin(), value_lines.end(), 0);
    return st;
  };
  // Only lines that start with the first letter of a name asked for can give one.
  bool first_letter[256] = {};
  for (std::string_view n : names) {
    if (n.empty()) continue;
    const auto c = static_cast<unsigned char>(n.front());
    first_letter[std::tolower(c)] = first_letter[std::toupper(c)] = true;
  }
  LineFinder lines(text);
  size_t pos = 0;
  size_t line_no = 0;
  while (pos < text.size()) {
    const size_t line_start = pos;
    const size_t nl = lines.Next();
    pos = nl < text.size() ? nl + 1 : text.size();
    std::string_view line = text.substr(line_start, nl - line_start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_no;
    const bool blank_start = line.empty() || IsBlank(line.front());
    if (blank_start && TrimBlanks(line).empty()) {
      MV_RETURN_IF_ERROR(flush(line_start));
      last = std::string_view::npos;
      continue;
    }
    if (start == std::string_view::npos) {
      start = line_start;
      start_line = line_no;
    }
    if (blank_start) {
      if (last != std::string_view::npos) {
        return error(line_no,
                     "the field " + std::string(names[last]) + " is continued on a further line");
      }
      continue;
    }
    last = std::string_view::npos;
    if (!first_letter[static_cast<unsigned char>(line.front())]) continue;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // ForEachParagraph says what is wrong
    const std::string_view name = line.substr(0, colon);
    for (size_t k = 0; k < names.size(); ++k) {
      if (!SameName(name, names[k])) continue;
      if (value_lines[k] != 0) {
        return error(line_no, "the field " + std::string(name) + " is given twice (first at line " +
                                  std::to_string(value_lines[k]) + ")");
      }
      values[k] = TrimBlanks(line.substr(colon + 1));
      value_lines[k] = line_no;
      last = k;
      break;
    }
  }
  return flush(text.size());
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
