// deb822, the control-file format of Debian's archive indexes (Release, Packages, Sources):
// paragraphs of "Name: value" fields separated by blank lines, a value continued on lines that
// begin with a space or a tab.
//
// The reading follows apt's (pkgTagSection): field names are matched without regard to case; a
// value is the text after the colon with surrounding blanks removed, its continuation lines
// joined with "\n" and kept with their leading blank (trailing blanks dropped), except that a
// value that starts on a continuation line starts with that line's text (no "\n", no blank); "\r\n"
// ends a line as "\n" does; lines holding only blanks separate paragraphs. Stricter than apt where
// apt would guess: a line with no colon, a continuation with no field to continue, a field given
// twice in a paragraph, an empty field name, or a NUL byte is an error (InvalidArgument) naming the
// source and the line.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace mv::apt {

struct Field {
  std::string name;       // as written
  std::string value;      // see above
  size_t line = 0;        // 1-based line of the name
  size_t value_line = 0;  // 1-based line where the value begins (line + 1 when it starts below)
};

// One paragraph: its fields in the order written.
class Paragraph {
 public:
  // The field named `name` (any case), or null.
  const Field* Find(std::string_view name) const;
  // Its value, or nullopt.
  std::optional<std::string_view> Get(std::string_view name) const;
  // Its value; InvalidArgument naming `where`, the paragraph's line and the field when missing
  // or empty.
  Result<std::string_view> Require(std::string_view name, std::string_view where) const;

  const std::vector<Field>& fields() const { return fields_; }
  size_t line() const { return line_; }  // 1-based line of the first field

 private:
  friend class ParagraphBuilder;
  std::vector<Field> fields_;
  size_t line_ = 0;
};

// Calls `visit` with each paragraph of `text`, in order, stopping at the first error (its own or
// the visitor's). `where` names the source in errors ("dists/bookworm/main/binary-amd64/Packages");
// `first_line` is the line of `where` at which `text` begins (an excerpt of a larger file).
Status ForEachParagraph(std::string_view text, std::string_view where,
                        const std::function<Status(const Paragraph&)>& visit,
                        size_t first_line = 1);

// A paragraph as ScanParagraphs finds it: its text (its first line to the end of its last, line
// break included), the line it starts at, and the values of the fields asked for, in the order
// asked ("" for a field it lacks).
struct ScannedParagraph {
  std::string_view text;
  size_t line = 0;
  std::span<const std::string_view> values;
};

// Finds each paragraph of `text` and the values of a few one-line fields (`names`, matched without
// regard to case, values trimmed of blanks) without parsing the rest: for comparing two versions
// of a large index paragraph by paragraph, and parsing only those that differ. Where ScanParagraphs
// and ForEachParagraph could read a field asked for differently it is an error (InvalidArgument
// naming `where` and the line): the field given twice in a paragraph, or continued on a further
// line; so is a NUL byte anywhere. The other fields are not checked.
Status ScanParagraphs(std::string_view text, std::string_view where,
                      std::span<const std::string_view> names,
                      const std::function<Status(const ScannedParagraph&)>& visit);

// Every paragraph of `text`.
Result<std::vector<Paragraph>> ParseParagraphs(std::string_view text, std::string_view where);

// The words of a field value split at blanks and newlines ("amd64 arm64" -> {"amd64","arm64"}).
std::vector<std::string_view> Words(std::string_view value);

// The lines of a multi-line value with their blanks trimmed, empty lines dropped (the first line
// of "SHA256:\n hash size path" is empty).
std::vector<std::string_view> Lines(std::string_view value);

}  // namespace mv::apt
