// The removal format (docs/store-format.md, "Removals"): canonical, sorted distinct files, a
// reason, refused when anything differs; removal ids and keys.
#include "archive/removal.h"

#include <gtest/gtest.h>

namespace mv::archive {
namespace {

Removal Sample() {
  RemovedFile a{.sha256 = Sha256Of("a"), .sha1 = {}, .size = 1};
  RemovedFile b{.sha256 = Sha256Of("b"), .sha1 = {}, .size = 22};
  a.sha1.fill(0x11);
  b.sha1.fill(0x22);
  std::vector<RemovedFile> files = {a, b};
  std::sort(files.begin(), files.end(),
            [](const RemovedFile& x, const RemovedFile& y) { return x.sha256 < y.sha256; });
  const RunId when = RunId::Parse("20261207T120000Z").value();
  return {.id = RemovalId(when, files, "DMCA \"notice\" 42\n"),
          .removed = "2026-12-07T12:00:00Z",
          .removed_by = "alice@host (cli)",
          .reason = "DMCA \"notice\" 42\n",
          .files = files};
}

TEST(RemovalTest, EncodesCanonicallyAndParsesBack) {
  const Removal r = Sample();
  EXPECT_TRUE(ValidateRemovalId(r.id).ok()) << r.id;
  EXPECT_EQ(r.id.substr(0, 17), "20261207T120000Z-");
  const std::string text = EncodeRemoval(r);
  EXPECT_TRUE(
      text.starts_with("{\"format\":1,\"id\":\"" + r.id +
                       "\",\"removed\":\"2026-12-07T12:00:00Z\",\"removed_by\":\"alice@host "
                       "(cli)\",\"reason\":\"DMCA \\\"notice\\\" 42\\n\",\"files\":[{"))
      << text;
  EXPECT_TRUE(text.ends_with(",\"size\":22}]}\n") || text.ends_with(",\"size\":1}]}\n")) << text;
  auto parsed = ParseRemoval(text, "removals/x.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, r);
}

TEST(RemovalTest, IdsDifferByFilesAndReason) {
  const RunId when = RunId::Parse("20261207T120000Z").value();
  const Removal r = Sample();
  EXPECT_NE(RemovalId(when, r.files, "one"), RemovalId(when, r.files, "two"));
  EXPECT_NE(RemovalId(when, r.files, "one"), RemovalId(when, {r.files[0]}, "one"));
  EXPECT_EQ(RemovalId(when, r.files, "one"), RemovalId(when, r.files, "one"));
  for (const char* bad :
       {"", "20261207T120000Z", "20261207T120000Z-abc", "20261207T120000Z-ABCDEF01",
        "2026-12-07T12:00:00Z-abcdef01", "20261207T120000Z_abcdef01"}) {
    EXPECT_FALSE(ValidateRemovalId(bad).ok()) << bad;
  }
  EXPECT_EQ(ParseRemovalKey(RemovalKey(r.id)).value(), r.id);
  EXPECT_FALSE(ParseRemovalKey("removals/" + r.id).ok());
  EXPECT_FALSE(ParseRemovalKey("removals/x.json").ok());
}

TEST(RemovalTest, RefusesAnythingButTheCanonicalFormOfItsFormat) {
  const Removal sample = Sample();
  const std::string good = EncodeRemoval(sample);
  auto refused = [](const std::string& text) {
    auto parsed = ParseRemoval(text, "removals/x.json");
    if (parsed.ok()) return std::string("accepted");
    EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption);
    EXPECT_NE(parsed.status().message().find("removals/x.json"), std::string::npos);
    return parsed.status().message();
  };
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  EXPECT_NE(refused(good.substr(0, good.size() - 1)), "accepted");
  EXPECT_NE(refused(replaced("\"format\":1,", "\"format\":2,")).find("newer"), std::string::npos);
  EXPECT_NE(refused(replaced("{\"format\":1,", "{ \"format\":1,")), "accepted");
  EXPECT_NE(refused(replaced("\"2026-12-07T12:00:00Z\"", "\"2026-12-07\"")).find("removed"),
            std::string::npos);
  EXPECT_NE(refused(replaced("\"reason\":\"DMCA \\\"notice\\\" 42\\n\"", "\"reason\":\"\""))
                .find("reason"),
            std::string::npos);
  EXPECT_NE(refused(replaced("\"files\":[", "\"extra\":1,\"files\":[")), "accepted");
  // Files: at least one, sorted, distinct, each exactly sha256, sha1, size.
  Removal none = sample;
  none.files.clear();
  EXPECT_NE(refused(EncodeRemoval(none)).find("files"), std::string::npos);
  Removal reversed = sample;
  std::swap(reversed.files[0], reversed.files[1]);
  EXPECT_NE(refused(EncodeRemoval(reversed)).find("order"), std::string::npos);
  Removal twice = sample;
  twice.files[1] = twice.files[0];
  EXPECT_NE(refused(EncodeRemoval(twice)).find("repeated"), std::string::npos);
  EXPECT_NE(refused(replaced(",\"size\":1}", ",\"size\":-1}")), "accepted");
  EXPECT_NE(refused(replaced("\"sha1\":\"1111", "\"sha1\":\"111")), "accepted");
  EXPECT_NE(refused(replaced("\"sha1\":\"1111", "\"sha1\":\"X111")), "accepted");
}

}  // namespace
}  // namespace mv::archive
