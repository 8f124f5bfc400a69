#include "archive/run_record.h"

#include <gtest/gtest.h>

#include "util/hash.h"

namespace mv::archive {
namespace {

RunRecord GoldenRecord() {
  RunRecord r;
  r.archive = "debian";
  r.run_id = *RunId::Parse("20240229T153000Z");
  r.root = Sha256Of("abc");
  r.parent = *RunId::Parse("20240228T213000Z");
  r.files = 1234;
  r.bytes = 5678901234;
  r.new_files = 12;
  r.new_bytes = 34567;
  r.source.kind = "upstream";
  r.source.location = "https://deb.debian.org/debian";
  r.source.details = {{"release_date/bookworm", "Sat, 10 Jun 2023 08:54:01 UTC"},
                      {"filter", "^linux-"}};
  r.writer = "mirrorvault 0.1.0 host=box pid=42";
  r.started = "2024-02-29T15:30:00Z";
  r.committed = "2024-02-29T15:42:17Z";
  return r;
}

// The permanent format: changing these means a new run record format (docs/store-format.md).
constexpr std::string_view kGoldenJson =
    R"({"format":1,"archive":"debian","run_id":"20240229T153000Z",)"
    R"("root":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",)"
    R"("parent":"20240228T213000Z","files":1234,"bytes":5678901234,"new_files":12,)"
    R"("new_bytes":34567,"source":{"kind":"upstream","location":"https://deb.debian.org/debian",)"
    R"("details":{"filter":"^linux-","release_date/bookworm":"Sat, 10 Jun 2023 08:54:01 UTC"}},)"
    R"("writer":"mirrorvault 0.1.0 host=box pid=42","started":"2024-02-29T15:30:00Z",)"
    R"("committed":"2024-02-29T15:42:17Z"})"
    "\n";
constexpr std::string_view kGoldenSha256 =
    "3cd179a6d519e9ccdf5dbe2eab07d4502ebf65c6509b78662eeeed35d5464c2a";

TEST(RunRecordGolden, ExactText) {
  std::string json = EncodeRunRecord(GoldenRecord());
  EXPECT_EQ(json, kGoldenJson);
  EXPECT_EQ(Sha256Hex(json), kGoldenSha256);
  auto parsed = ParseRunRecord(kGoldenJson, "runs/debian/20240229T153000Z.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, GoldenRecord());
}

TEST(RunRecord, FirstRunHasNullParentAndEmptyDetails) {
  RunRecord r = GoldenRecord();
  r.parent.reset();
  r.source = RunSource{.kind = "local", .location = "/srv/mirror"};
  std::string json = EncodeRunRecord(r);
  EXPECT_NE(json.find(R"("parent":null,)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("details":{}})"), std::string::npos) << json;
  auto parsed = ParseRunRecord(json, "x");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, r);
}

TEST(RunRecord, StringsWithEscapesAndUnicodeRoundTrip) {
  RunRecord r = GoldenRecord();
  r.writer = std::string("quote\" back\\slash \n\r\t\b\f \x01\x1f\x7f nul:") +
             std::string(1, '\0') + " caf\xC3\xA9 \xF0\x9F\x93\xA6 </script>";
  r.source.location = "/srv/with space/100%/+plus";
  r.source.details = {{"k\"ey", "v\\al"}, {"\xC3\xA9", ""}, {"", "empty key"}};
  r.files = ~uint64_t{0};
  r.bytes = 0;
  std::string json = EncodeRunRecord(r);
  EXPECT_NE(json.find(R"(quote\" back\\slash \n\r\t\b\f \u0001\u001f)"), std::string::npos) << json;
  EXPECT_NE(json.find("\\u0000"), std::string::npos);
  EXPECT_EQ(json.find('\n'), json.size() - 1);
  auto parsed = ParseRunRecord(json, "x");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, r);
}

std::string Replace(std::string_view text, std::string_view from, std::string_view to) {
  std::string s(text);
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

void ExpectRefused(const std::string& json, std::string_view want_in_message) {
  auto r = ParseRunRecord(json, "runs/debian/x.json");
  ASSERT_FALSE(r.ok()) << json;
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("runs/debian/x.json"), std::string::npos);
  EXPECT_NE(r.status().message().find(want_in_message), std::string::npos) << r.status().message();
}

TEST(RunRecord, RefusesOtherFormats) {
  const std::string g(kGoldenJson);
  ExpectRefused(Replace(g, R"("format":1)", R"("format":2)"), "format 1 only");
  ExpectRefused(Replace(g, R"("format":1)", R"("format":"1")"), "format");
  ExpectRefused(Replace(g, R"("format":1)", R"("format":1.0)"), "format");
  ExpectRefused(Replace(g, R"("format":1,)", ""), "\"format\" is missing");
  // A newer record with a new field is refused for its version, not the field.
  ExpectRefused(Replace(Replace(g, R"("format":1)", R"("format":2)"), R"("files")",
                        R"("signature":"x","files")"),
                "format 1 only");
}

TEST(RunRecord, RefusesMissingUnknownAndMistypedFields) {
  const std::string g(kGoldenJson);
  ExpectRefused(Replace(g, R"("writer":"mirrorvault 0.1.0 host=box pid=42",)", ""),
                "\"writer\" is missing");
  ExpectRefused(Replace(g, R"("files":1234,)", R"("files":1234,"extra":1,)"), "\"extra\"");
  ExpectRefused(Replace(g, R"("kind":"upstream",)", ""), "\"source.kind\" is missing");
  ExpectRefused(Replace(g, R"("kind":"upstream",)", R"("kind":"upstream","url":"",)"),
                "\"source.url\"");
  ExpectRefused(Replace(g, R"("kind":"upstream")", R"("kind":"")"), "source.kind");
  ExpectRefused(Replace(g, R"("filter":"^linux-")", R"("filter":1)"), "source.details.filter");
  ExpectRefused(Replace(g, R"("files":1234)", R"("files":"1234")"), "\"files\"");
  ExpectRefused(Replace(g, R"("files":1234)", R"("files":-1)"), "\"files\"");
  ExpectRefused(Replace(g, R"("files":1234)", R"("files":1234.5)"), "\"files\"");
  ExpectRefused(Replace(g, R"("bytes":5678901234)", R"("bytes":18446744073709551616)"),
                "\"bytes\"");
  ExpectRefused(Replace(g, R"("archive":"debian")", R"("archive":"../x")"), "\"archive\"");
  ExpectRefused(Replace(g, R"("archive":"debian")", R"("archive":7)"), "\"archive\"");
  ExpectRefused(Replace(g, R"("run_id":"20240229T153000Z")", R"("run_id":"2024-02-29")"),
                "\"run_id\"");
  ExpectRefused(Replace(g, R"("parent":"20240228T213000Z")", R"("parent":"20240231T000000Z")"),
                "\"parent\"");
  ExpectRefused(Replace(g, R"("parent":"20240228T213000Z")", R"("parent":0)"), "\"parent\"");
  ExpectRefused(Replace(g, "ba7816bf8f", "BA7816BF8F"), "\"root\"");
  ExpectRefused(Replace(g, "ba7816bf8f", "ba7816bf8"), "\"root\"");
  ExpectRefused(Replace(g, R"("source":{)", R"("source":[{)"), "JSON");
  ExpectRefused(
      Replace(g, R"("started":"2024-02-29T15:30:00Z")", R"("started":"2024-02-29 15:30:00Z")"),
      "\"started\"");
  ExpectRefused(
      Replace(g, R"("started":"2024-02-29T15:30:00Z")", R"("started":"2024-02-29T15:30:00+00:00")"),
      "\"started\"");
  ExpectRefused(
      Replace(g, R"("committed":"2024-02-29T15:42:17Z")", R"("committed":"2023-02-29T15:42:17Z")"),
      "\"committed\"");
  ExpectRefused(
      Replace(g, R"("committed":"2024-02-29T15:42:17Z")", R"("committed":"2024-02-29T24:42:17Z")"),
      "\"committed\"");
}

TEST(RunRecord, RefusesNonCanonicalText) {
  const std::string g(kGoldenJson);
  ExpectRefused(Replace(g, R"("format":1,)", R"("format": 1,)"), "canonical");
  ExpectRefused(g.substr(0, g.size() - 1), "canonical");  // no final newline
  ExpectRefused(g + "\n", "canonical");
  ExpectRefused(
      Replace(g, R"("files":1234,"bytes":5678901234,)", R"("bytes":5678901234,"files":1234,)"),
      "canonical");
  ExpectRefused(Replace(g, R"("files":1234,)", R"("files":1,"files":1234,)"), "canonical");
  ExpectRefused(
      Replace(g, R"("filter":"^linux-","release_date/bookworm":"Sat, 10 Jun 2023 08:54:01 UTC")",
              R"("release_date/bookworm":"Sat, 10 Jun 2023 08:54:01 UTC","filter":"^linux-")"),
      "canonical");
  ExpectRefused(Replace(g, "^linux-", "\\u005elinux-"), "canonical");
  ExpectRefused(Replace(g, "host=box", "host\\/box"), "canonical");
  ExpectRefused(Replace(g, R"("files":1234)", R"("files":1234e0)"), "\"files\"");
  ExpectRefused(Replace(g, R"("files":1234)", R"("files":01234)"), "JSON");
}

TEST(RunRecord, RefusesNonJson) {
  ExpectRefused("", "JSON");
  ExpectRefused("[]\n", "not an object");
  ExpectRefused("{\"format\":1", "JSON");
  ExpectRefused(std::string(kGoldenJson) + "{}", "JSON");
  ExpectRefused(Replace(kGoldenJson, "host=box", "host=\xff"), "JSON");
  ExpectRefused(Replace(kGoldenJson, R"("format":1,)", R"(/*c*/"format":1,)"), "JSON");
}

}  // namespace
}  // namespace mv::archive
