#include "apt/paragraph_diff.h"

#include <unordered_map>

#include "apt/deb822.h"

namespace mv::apt {

Result<ParagraphDiff> DiffParagraphs(
    std::string_view before, std::string_view where_before, std::string_view after,
    std::string_view where_after, std::span<const std::string_view> names,
    const std::function<void(bool after, std::span<const std::string_view> values)>& each) {
  // The old text's paragraphs by text, each with how many times it is there and not yet matched.
  std::unordered_map<std::string_view, size_t> unmatched;
  struct Old {
    std::string_view text;
    size_t line;
  };
  std::vector<Old> old_order;
  std::vector<std::string_view> old_values;  // names.size() a paragraph
  MV_RETURN_IF_ERROR(ScanParagraphs(before, where_before, names, [&](const ScannedParagraph& p) {
    if (each) each(false, p.values);
    unmatched[p.text] += 1;
    old_order.push_back({p.text, p.line});
    old_values.insert(old_values.end(), p.values.begin(), p.values.end());
    return Status::Ok();
  }));
  ParagraphDiff diff;
  MV_RETURN_IF_ERROR(ScanParagraphs(after, where_after, names, [&](const ScannedParagraph& p) {
    if (each) each(true, p.values);
    auto it = unmatched.find(p.text);
    if (it != unmatched.end() && it->second > 0) {
      it->second -= 1;
      return Status::Ok();
    }
    diff.added.push_back({p.text, p.line, {p.values.begin(), p.values.end()}});
    return Status::Ok();
  }));
  for (size_t i = 0; i < old_order.size(); ++i) {
    size_t& left = unmatched[old_order[i].text];
    if (left == 0) continue;
    left -= 1;
    auto values = old_values.begin() + static_cast<std::ptrdiff_t>(i * names.size());
    diff.removed.push_back({old_order[i].text,
                            old_order[i].line,
                            {values, values + static_cast<std::ptrdiff_t>(names.size())}});
  }
  return diff;
}

}  // namespace mv::apt
