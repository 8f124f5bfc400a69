// ParseToml and the ConfigValue tree it builds: every node is read through every accessor the
// parts use (AsString, AsInteger, AsSize, AsDuration, Section, Sections, CheckKeys, ...).
// Properties: syntax errors are InvalidArgument with a message; conversions fail only with
// InvalidArgument and a message; every node has a position in the source, child paths extend
// their parent's path.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "util/toml_reader.h"

namespace {

using mv::ConfigValue;
using mv::StatusCode;

template <typename R>
void Expect(const R& result) {
  if (!result.ok()) MV_FUZZ_CHECK_ERROR(result.status(), StatusCode::kInvalidArgument);
}

void Walk(const ConfigValue& v, int depth) {
  MV_FUZZ_CHECK(depth < 1000, "tree deeper than the parser allows");
  MV_FUZZ_CHECK(v.where().file == "fuzz.toml", v.where().ToString());
  MV_FUZZ_CHECK(v.where().line >= 0 && v.where().column >= 0, v.where().ToString());
  (void)v.where().ToString();
  (void)ConfigValue::KindName(v.kind());
  Expect(v.AsString());
  Expect(v.AsInteger());
  Expect(v.AsInteger(1, 4096));
  Expect(v.AsFloat());
  Expect(v.AsBool());
  Expect(v.AsSize());
  Expect(v.AsDuration());
  Expect(v.AsStringList());
  MV_FUZZ_CHECK_ERROR(v.Error("checked"), StatusCode::kInvalidArgument);
  if (v.is_table()) {
    MV_FUZZ_CHECK_ERROR(v.CheckKeys({"store", "catalog", "log_level", "s3", "archive"}),
                        StatusCode::kInvalidArgument);
    for (const auto& [key, child] : v.entries()) {
      MV_FUZZ_CHECK(v.Find(key) != nullptr, mv::fuzz::Printable(key));
      MV_FUZZ_CHECK(child.path().size() > v.path().size(), child.path());
      Expect(v.Section(key));
      Expect(v.Sections(key));
      Walk(child, depth + 1);
    }
  }
  for (const ConfigValue& item : v.items()) {
    MV_FUZZ_CHECK(item.path().size() > v.path().size(), item.path());
    Walk(item, depth + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = mv::ParseToml(text, "fuzz.toml");
  if (!doc.ok()) {
    MV_FUZZ_CHECK_ERROR(doc.status(), StatusCode::kInvalidArgument);
    return 0;
  }
  MV_FUZZ_CHECK(doc->is_table(), "the document is not a table");
  Walk(*doc, 0);
  return 0;
}
