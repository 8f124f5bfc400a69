// The tombstone format (docs/store-format.md, "Deleted runs"): canonical, the deleted record
// inside byte for byte, refused when anything differs.
#include "archive/tombstone.h"

#include <gtest/gtest.h>

namespace mv::archive {
namespace {

RunTombstone Sample() {
  RunRecord r;
  r.archive = "debian";
  r.run_id = RunId::Parse("20240229T153000Z").value();
  r.root.fill(0xab);
  r.files = 3;
  r.bytes = 12;
  r.source = {.kind = "local", .location = "/srv/mirror", .details = {}};
  r.writer = "mirrorvault 0.1.0 host=h pid=1";
  r.started = "2024-02-29T15:30:00Z";
  r.committed = "2024-02-29T15:31:00Z";
  return {.record = r,
          .deleted = "2024-06-01T12:00:00Z",
          .deleted_by = "alice@host (cli)",
          .reason = "retention \"policy\"\n"};
}

TEST(TombstoneTest, EncodesCanonicallyAndParsesBack) {
  const RunTombstone t = Sample();
  const std::string text = EncodeTombstone(t);
  std::string record = EncodeRunRecord(t.record);
  record.pop_back();
  EXPECT_EQ(text,
            "{\"format\":1,\"deleted\":\"2024-06-01T12:00:00Z\",\"deleted_by\":\"alice@host "
            "(cli)\",\"reason\":\"retention \\\"policy\\\"\\n\",\"record\":" +
                record + "}\n");
  auto parsed = ParseTombstone(text, "k");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, t);
}

TEST(TombstoneTest, RefusesAnythingButTheCanonicalFormOfItsFormat) {
  const std::string good = EncodeTombstone(Sample());
  auto refused = [](const std::string& text) {
    auto parsed = ParseTombstone(text, "tombstones/debian/x.json");
    if (parsed.ok()) return std::string("accepted");
    EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption);
    EXPECT_NE(parsed.status().message().find("tombstones/debian/x.json"), std::string::npos);
    return parsed.status().message();
  };
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  EXPECT_NE(refused(good.substr(0, good.size() - 1)), "accepted");  // no newline
  EXPECT_NE(refused(replaced("\"format\":1,", "\"format\":2,")).find("newer"), std::string::npos);
  EXPECT_NE(refused(replaced("{\"format\":1,", "{ \"format\":1,")), "accepted");
  EXPECT_NE(refused(replaced("\"2024-06-01T12:00:00Z\"", "\"2024-06-01\"")).find("deleted"),
            std::string::npos);
  EXPECT_NE(refused(replaced(",\"reason\":", ",\"extra\":1,\"reason\":")), "accepted");
  // The record inside is checked as a record.
  EXPECT_NE(refused(replaced("\"files\":3", "\"files\":-3")), "accepted");
  EXPECT_NE(refused(replaced("\"record\":{", "\"record\":{\"x\":1,")), "accepted");
  EXPECT_NE(refused("not json"), "accepted");
}

}  // namespace
}  // namespace mv::archive
