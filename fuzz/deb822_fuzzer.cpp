// The deb822 reader and scanner, the Release, Packages and Sources parsers, the index selection and
// the clearsigned-text reader over arbitrary text, and the index writer over what they accept.
// Properties: nothing crashes; every refusal is InvalidArgument naming the source; an accepted
// paragraph has fields with non-empty names free of blanks and colons, and values with no
// surrounding blanks, and FormatParagraph writes it back as the same fields; the scanner agrees
// with the reader on paragraphs, lines and the fields it reads; every Release entry
// and pool file is a path that stays in the archive.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "apt/deb822.h"
#include "apt/index_select.h"
#include "apt/index_writer.h"
#include "apt/indexes.h"
#include "apt/paragraph_diff.h"
#include "apt/release.h"
#include "apt/signature.h"
#include "fuzz_check.h"

namespace {

constexpr std::string_view kWhere = "fuzz-index";

void CheckRefusal(const mv::Status& st) {
  if (st.ok()) return;
  MV_FUZZ_CHECK_ERROR(st, mv::StatusCode::kInvalidArgument);
  MV_FUZZ_CHECK(st.message().find(kWhere) != std::string::npos, st.message());
}

bool Blank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

// DiffParagraphs of the input cut in two (where the first byte says) against counting each half's
// paragraph texts: the new half's paragraphs beyond the old half's copies are added (the last
// copies, in order), the old half's beyond the new half's removed (the first copies, in order).
static void CheckDiff(std::string_view text) {
  if (text.empty()) return;
  const size_t cut = 1 + static_cast<uint8_t>(text[0]) % text.size();
  const std::string_view before = text.substr(1, cut - 1), after = text.substr(cut);
  static constexpr std::string_view kAsked[] = {"Package", "Version"};
  auto diff = mv::apt::DiffParagraphs(before, "before", after, "after", kAsked);
  std::vector<std::string_view> old_texts, new_texts;
  auto collect = [](std::string_view t, std::vector<std::string_view>& out) {
    return mv::apt::ScanParagraphs(t, kWhere, kAsked, [&](const mv::apt::ScannedParagraph& p) {
      out.push_back(p.text);
      return mv::Status::Ok();
    });
  };
  const bool scans = collect(before, old_texts).ok() && collect(after, new_texts).ok();
  MV_FUZZ_CHECK(diff.ok() == scans, "DiffParagraphs and ScanParagraphs disagree on errors");
  if (!diff.ok()) return;
  std::map<std::string_view, size_t> left;
  for (std::string_view t : old_texts) ++left[t];
  std::vector<std::string_view> added, removed;
  for (std::string_view t : new_texts) {
    if (left[t] > 0) {
      --left[t];
    } else {
      added.push_back(t);
    }
  }
  for (std::string_view t : old_texts) {
    if (left[t] > 0) {
      --left[t];
      removed.push_back(t);
    }
  }
  MV_FUZZ_CHECK(diff->added.size() == added.size() && diff->removed.size() == removed.size(),
                "the diff counts other paragraphs");
  for (size_t i = 0; i < added.size(); ++i) {
    MV_FUZZ_CHECK(diff->added[i].text.data() == added[i].data() &&
                      diff->added[i].text.size() == added[i].size(),
                  mv::fuzz::Printable(added[i]));
  }
  for (size_t i = 0; i < removed.size(); ++i) {
    MV_FUZZ_CHECK(diff->removed[i].text.data() == removed[i].data() &&
                      diff->removed[i].text.size() == removed[i].size(),
                  mv::fuzz::Printable(removed[i]));
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  mv::Status st = mv::apt::ForEachParagraph(text, kWhere, [](const mv::apt::Paragraph& p) {
    MV_FUZZ_CHECK(!p.fields().empty(), "an empty paragraph was visited");
    for (const mv::apt::Field& f : p.fields()) {
      MV_FUZZ_CHECK(!f.name.empty(), "empty field name");
      MV_FUZZ_CHECK(f.name.find_first_of(": \t\n") == std::string::npos, f.name);
      MV_FUZZ_CHECK(f.value.empty() || (!Blank(f.value.front()) && !Blank(f.value.back())),
                    mv::fuzz::Printable(f.value));
      MV_FUZZ_CHECK(p.Find(f.name) == &f, "a field is not found by its own name");
      (void)mv::apt::Words(f.value);
      (void)mv::apt::Lines(f.value);
    }
    // What the index writer makes of an accepted paragraph reads back as the same fields (but
    // a carriage return that ends up before a line end, which deb822 reads as a line end).
    bool has_cr = false;
    for (const mv::apt::Field& f : p.fields()) has_cr |= f.value.find('\r') != std::string::npos;
    if (has_cr) return mv::Status::Ok();
    const std::string written = mv::apt::FormatParagraph(p);
    auto again = mv::apt::ParseParagraphs(written, kWhere);
    MV_FUZZ_CHECK(again.ok() && again->size() == 1, mv::fuzz::Printable(written));
    const auto& back = (*again)[0].fields();
    MV_FUZZ_CHECK(back.size() == p.fields().size(), mv::fuzz::Printable(written));
    for (size_t i = 0; i < back.size(); ++i) {
      MV_FUZZ_CHECK(back[i].name == p.fields()[i].name && back[i].value == p.fields()[i].value,
                    mv::fuzz::Printable(written));
    }
    return mv::Status::Ok();
  });
  CheckRefusal(st);

  // ScanParagraphs finds the paragraphs ForEachParagraph finds (when both accept the text), each
  // with the values ForEachParagraph reads for the fields asked, and each paragraph's text read
  // alone from its line gives that very paragraph.
  std::vector<mv::apt::Paragraph> full;
  if (st.ok()) full = mv::apt::ParseParagraphs(text, kWhere).value();
  static constexpr std::string_view kAsked[] = {"Package", "Version", "Architecture"};
  size_t scanned = 0;
  size_t last_line = 0;
  mv::Status scan = mv::apt::ScanParagraphs(
      text, kWhere, kAsked, [&](const mv::apt::ScannedParagraph& p) -> mv::Status {
        MV_FUZZ_CHECK(!p.text.empty() && p.text.data() >= text.data() &&
                          p.text.data() + p.text.size() <= text.data() + text.size(),
                      "a paragraph's text is not a part of the input");
        MV_FUZZ_CHECK(p.line > last_line, "paragraph lines do not increase");
        last_line = p.line;
        if (st.ok()) {
          MV_FUZZ_CHECK(scanned < full.size(), "more paragraphs scanned than parsed");
          const mv::apt::Paragraph& whole = full[scanned];
          MV_FUZZ_CHECK(whole.line() == p.line, std::to_string(p.line));
          for (size_t k = 0; k < std::size(kAsked); ++k) {
            MV_FUZZ_CHECK(whole.Get(kAsked[k]).value_or("") == p.values[k],
                          mv::fuzz::Printable(p.values[k]));
          }
          size_t alone = 0;
          mv::Status again = mv::apt::ForEachParagraph(
              p.text, kWhere,
              [&](const mv::apt::Paragraph& q) {
                ++alone;
                MV_FUZZ_CHECK(
                    q.line() == whole.line() && q.fields().size() == whole.fields().size(),
                    mv::fuzz::Printable(p.text));
                for (size_t i = 0; i < q.fields().size(); ++i) {
                  MV_FUZZ_CHECK(q.fields()[i].value == whole.fields()[i].value &&
                                    q.fields()[i].line == whole.fields()[i].line,
                                mv::fuzz::Printable(p.text));
                }
                return mv::Status::Ok();
              },
              p.line);
          MV_FUZZ_CHECK(again.ok() && alone == 1, mv::fuzz::Printable(p.text));
        }
        ++scanned;
        return mv::Status::Ok();
      });
  CheckRefusal(scan);
  if (st.ok() && scan.ok()) MV_FUZZ_CHECK(scanned == full.size(), "fewer paragraphs scanned");
  if (scan.ok()) CheckDiff(text);

  auto release = mv::apt::ParseRelease(text, kWhere);
  CheckRefusal(release.status());
  if (release.ok()) {
    for (const auto& [path, entry] : release->files) {
      MV_FUZZ_CHECK(mv::apt::IsSafeRelativePath(path), path);
      MV_FUZZ_CHECK(entry.sha256.size() == 64, entry.sha256);
    }
    for (int mode = 0; mode < 4; ++mode) {
      const bool sources = (mode & 1) != 0;
      // A flat repository's selection, and the complete view with parts left out.
      auto selected = mv::apt::SelectIndexes(
          *release,
          {.sources = sources,
           .without = mode == 3 ? std::vector<mv::apt::IndexPart>{mv::apt::IndexPart::kUdeb}
                                : std::vector<mv::apt::IndexPart>{},
           .flat = mode == 2,
           .installer_images = mode >= 2},
          kWhere);
      CheckRefusal(selected.status());
      if (!selected.ok()) continue;
      for (const mv::apt::SelectedIndex& s : *selected) {
        MV_FUZZ_CHECK(release->files.count(s.path) == 1, s.path);
        MV_FUZZ_CHECK(s.path.starts_with(s.base), s.path);
      }
    }
  }
  auto signed_text = mv::apt::ClearsignedText(text, kWhere);
  CheckRefusal(signed_text.status());
  if (signed_text.ok()) {
    MV_FUZZ_CHECK(signed_text->size() <= text.size() + 1, "the signed text grew");
  }
  // The pool files alone (ForEachBinaryPoolFile) are the full parse's, wherever it accepts.
  std::vector<std::pair<std::string, mv::apt::PoolFile>> full_files, alone;
  mv::Status binaries =
      mv::apt::ForEachBinaryPackage(text, kWhere, [&](const mv::apt::BinaryPackage& b) {
        MV_FUZZ_CHECK(mv::apt::IsSafeRelativePath(b.file.path), b.file.path);
        MV_FUZZ_CHECK(!b.source.empty() && !b.source_version.empty(), b.package);
        full_files.emplace_back(b.package, b.file);
        return mv::Status::Ok();
      });
  CheckRefusal(binaries);
  mv::Status pool = mv::apt::ForEachBinaryPoolFile(
      text, kWhere, [&](std::string_view package, const mv::apt::PoolFile& f) {
        MV_FUZZ_CHECK(mv::apt::IsSafeRelativePath(f.path), f.path);
        alone.emplace_back(std::string(package), f);
        return mv::Status::Ok();
      });
  CheckRefusal(pool);
  if (binaries.ok() && scan.ok()) {
    MV_FUZZ_CHECK(pool.ok() && alone == full_files,
                  "the pool files alone are not the full parse's");
  }
  CheckRefusal(mv::apt::ForEachSourcePackage(text, kWhere, [](const mv::apt::SourcePackage& s) {
    for (const mv::apt::PoolFile& f : s.files) {
      MV_FUZZ_CHECK(mv::apt::IsSafeRelativePath(f.path), f.path);
    }
    return mv::Status::Ok();
  }));
  return 0;
}
