// Published SigV4 vectors, read from tests/store/s3/testdata/ (see the README there):
//   aws-sig-v4-test-suite/  AWS's SigV4 test suite (2015 suite and aws-c-auth's v4 suite)
//   s3-examples/            the worked examples of the S3 API reference (header and presigned)
// For every case: canonical request, string to sign, signature, and what SignHeaders (or
// PresignQuery) hands back.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "store/s3/sigv4.h"
#include "util/hash.h"

namespace mv::s3 {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

struct Suite {
  std::string dir;  // under MV_SIGV4_TESTDATA
  Credentials credentials;
  SigV4Scope scope;
};

const Suite& AwsSuite() {
  static const Suite kSuite{
      "aws-sig-v4-test-suite",
      {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""},
      {"us-east-1", "service", std::chrono::system_clock::time_point(seconds(1440938160))}};
  return kSuite;
}

const Suite& S3Examples() {
  static const Suite kSuite{
      "s3-examples",
      {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""},
      {"us-east-1", "s3", std::chrono::system_clock::time_point(seconds(1369353600))}};
  return kSuite;
}

struct VectorCase {
  const Suite* suite;
  std::string name;
  std::string mode;  // "normalize", "s3" or "presign"
  int64_t expires = 0;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream out;
  out << f.rdbuf();
  return out.str();
}

std::vector<VectorCase> LoadCases(const Suite& suite) {
  std::vector<VectorCase> cases;
  std::istringstream index(ReadFile(fs::path(MV_SIGV4_TESTDATA) / suite.dir / "cases.txt"));
  std::string line;
  while (std::getline(index, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    VectorCase c{&suite, "", "", 0};
    fields >> c.name >> c.mode >> c.expires;
    cases.push_back(c);
  }
  return cases;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// The suites write request targets mostly raw ("/example space/", "?ሴ=bar") and sometimes
// percent-encoded ("?%E1%88%B4=Value1"); a '%' not followed by two hex digits stays ("@#$%^").
std::string LenientDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Parses a suite request file: "METHOD TARGET HTTP/1.1", "Name:value" lines, a blank line, the
// body. A line starting with blanks continues the previous header (obs-fold); the suite signs
// folded lines as values of that header joined with ',', so each becomes a repeated header.
SigV4Request ParseRequest(const std::string& text) {
  SigV4Request r;
  size_t blank = text.find("\n\n");
  std::string head = text.substr(0, blank);
  std::string body = blank == std::string::npos ? "" : text.substr(blank + 2);
  std::istringstream lines(head);
  std::string line;
  std::getline(lines, line);
  size_t sp1 = line.find(' ');
  size_t sp2 = line.rfind(' ');
  r.method = line.substr(0, sp1);
  std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t qmark = target.find('?');
  r.path = LenientDecode(target.substr(0, qmark));
  if (qmark != std::string::npos) {
    std::istringstream params(target.substr(qmark + 1));
    std::string param;
    while (std::getline(params, param, '&')) {
      size_t eq = param.find('=');
      r.query.emplace_back(LenientDecode(param.substr(0, eq)),
                           eq == std::string::npos ? "" : LenientDecode(param.substr(eq + 1)));
    }
  }
  while (std::getline(lines, line)) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      r.headers.emplace_back(r.headers.back().first, line);
      continue;
    }
    size_t colon = line.find(':');
    r.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  r.payload_hash = Sha256Hex(body);
  return r;
}

bool HeaderIs(const std::pair<std::string, std::string>& h, std::string_view lower_name) {
  std::string name = h.first;
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name == lower_name;
}

// "Credential=..., SignedHeaders=..., Signature=..." -> the three values, whatever the spacing.
std::vector<std::string> AuthorizationFields(const std::string& authorization) {
  std::vector<std::string> fields;
  for (std::string_view key : {"Credential=", "SignedHeaders=", "Signature="}) {
    size_t at = authorization.find(key);
    if (at == std::string::npos) {
      fields.emplace_back("<missing>");
      continue;
    }
    size_t begin = at + key.size();
    fields.push_back(authorization.substr(begin, authorization.find(',', begin) - begin));
  }
  return fields;
}

class SigV4VectorTest : public ::testing::TestWithParam<VectorCase> {
 protected:
  fs::path Dir() const {
    return fs::path(MV_SIGV4_TESTDATA) / GetParam().suite->dir / GetParam().name;
  }
  std::string File(const std::string& name) const { return ReadFile(Dir() / name); }
};

TEST_P(SigV4VectorTest, MatchesPublishedVector) {
  const VectorCase& vc = GetParam();
  const Suite& suite = *vc.suite;
  ASSERT_TRUE(fs::exists(Dir() / "request.txt")) << Dir();
  SigV4Request r = ParseRequest(File("request.txt"));
  Credentials credentials = suite.credentials;
  if (fs::exists(Dir() / "session-token.txt"))
    credentials.session_token = File("session-token.txt");

  if (vc.mode == "presign") {
    seconds expires(vc.expires);
    std::string creq =
        CanonicalRequest(PresignRequest(r, suite.scope, credentials, expires), PathMode::kS3);
    EXPECT_EQ(creq, File("canonical-request.txt"));
    EXPECT_EQ(StringToSign(creq, suite.scope), File("string-to-sign.txt"));
    EXPECT_EQ(PresignQuery(r, suite.scope, credentials, expires), File("presigned-query.txt"));
    return;
  }
  ASSERT_TRUE(vc.mode == "normalize" || vc.mode == "s3") << vc.mode;
  PathMode mode = vc.mode == "s3" ? PathMode::kS3 : PathMode::kNormalize;
  std::string creq = CanonicalRequest(r, mode);
  EXPECT_EQ(creq, File("canonical-request.txt"));
  std::string sts = StringToSign(creq, suite.scope);
  EXPECT_EQ(sts, File("string-to-sign.txt"));
  std::vector<std::string> expected = AuthorizationFields(File("authorization.txt"));
  EXPECT_EQ(Signature(sts, suite.scope, credentials.secret_access_key), expected[2]);
  EXPECT_EQ(SignedHeaderList(r), expected[1]);

  // SignHeaders adds x-amz-date (and the session token) itself: hand it the request without.
  SigV4Request unsigned_request = r;
  std::erase_if(unsigned_request.headers, [](const auto& h) {
    return HeaderIs(h, "x-amz-date") || HeaderIs(h, "x-amz-security-token");
  });
  auto added = SignHeaders(unsigned_request, suite.scope, credentials, mode);
  ASSERT_GE(added.size(), 2u);
  EXPECT_EQ(added[0].first, "Authorization");
  EXPECT_EQ(AuthorizationFields(added[0].second), expected);
  EXPECT_EQ(added[1].second, AmzDate(suite.scope.time));
  if (suite.dir == AwsSuite().dir) {  // the suite also fixes the header's exact spelling
    EXPECT_EQ(added[0].second, File("authorization.txt"));
  }
}

std::string CaseName(const ::testing::TestParamInfo<VectorCase>& info) {
  std::string name = info.param.name;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(AwsSigV4TestSuite, SigV4VectorTest,
                         ::testing::ValuesIn(LoadCases(AwsSuite())), CaseName);
INSTANTIATE_TEST_SUITE_P(S3DocumentationExamples, SigV4VectorTest,
                         ::testing::ValuesIn(LoadCases(S3Examples())), CaseName);

// The parameterised tests above pass vacuously if the index files cannot be read.
TEST(SigV4VectorFilesTest, AllCasesAreThere) {
  EXPECT_EQ(LoadCases(AwsSuite()).size(), 40u);
  EXPECT_EQ(LoadCases(S3Examples()).size(), 5u);
}

}  // namespace
}  // namespace mv::s3
