// Two versions of one deb822 index compared paragraph by paragraph: which paragraphs only the new
// text has and which only the old one has, found by their exact text (apt::ScanParagraphs), so
// that a large index that changed a little is parsed only where it changed. Used by the package
// index (the packages that came and went) and the upstream mirror (the pool folders that did).
#pragma once

#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace mv::apt {

struct DiffedParagraph {
  std::string_view text;                 // within the text it came from
  size_t line = 0;                       // where it starts there
  std::vector<std::string_view> values;  // of the names asked for ("" when absent)
};

struct ParagraphDiff {
  std::vector<DiffedParagraph> added;    // only in the new text, in its order
  std::vector<DiffedParagraph> removed;  // only in the old text, in its order
};

// Compares `before` with `after` (a paragraph given twice counts twice). `each`, when given, is
// called with every paragraph's values of `names`, the old text's first (`after` false). The
// errors of ScanParagraphs, naming `where_before` or `where_after`.
Result<ParagraphDiff> DiffParagraphs(
    std::string_view before, std::string_view where_before, std::string_view after,
    std::string_view where_after, std::span<const std::string_view> names,
    const std::function<void(bool after, std::span<const std::string_view> values)>& each = {});

}  // namespace mv::apt
