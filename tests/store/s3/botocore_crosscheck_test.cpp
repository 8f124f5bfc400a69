// Cross-checks our SigV4 against botocore's signers on randomised requests.
//
// The requests are generated deterministically (fixed seed), written as JSON lines, signed by
// tests/store/s3/botocore_sign.py with botocore (Debian's python3-botocore) with its clock frozen
// at each request's time, and compared with ours: the canonical request and the Authorization
// header (S3SigV4Auth, SigV4Auth) or the presigned query string (S3SigV4QueryAuth).
// The script gets DECODED paths, queries and bodies and encodes and hashes them itself, so
// nothing of our encoder is shared with the reference.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "store/s3/sigv4.h"
#include "util/hash.h"

namespace mv::s3 {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

enum class Kind { kS3, kPresign, kGeneric };

struct Case {
  Kind kind = Kind::kS3;
  std::string scheme;
  std::string host;
  SigV4Request request;  // headers exclude host; path, query decoded
  std::string body;
  bool unsigned_payload = false;
  Credentials credentials;
  SigV4Scope scope;
  int64_t expires = 0;
};

// Pieces that exercise encoding: reserved and unreserved ASCII, '%', '+', space, UTF-8.
const std::vector<std::string> kPathPieces = {
    "a", "Z", "0", "-", "_", ".", "~", " ",    "+", "%", "%41", "=",  "&",  "?",  "#",  "!",
    "$", "'", "(", ")", "*", ",", ";", ":",    "@", "[", "]",   "\"", "<",  ">",  "\\", "^",
    "`", "{", "|", "}", "ü", "ሴ", "€", "日本", "😀", "é", "//",  "/",  "..", "./", "a.b"};
const std::vector<std::string> kQueryPieces = {
    "a", "B", "9", "-", "_", ".", "~", " ", "+", "%", "%2B", "=", "&", "/", "?",  "#",
    "ü", "ሴ", "€", "😀", "*", "'", "!", "(", ")", ",", ";",   ":", "@", "$", "\\", "\""};
const std::vector<std::string> kValuePieces = {"v",  "X", "1", " ", "  ", "\t", ",", ";", ":", "=",
                                               "\"", "'", "/", "(", ")",  "ü",  "ሴ", "€", "-"};
// No Date (botocore then signs Date instead of X-Amz-Date), no names botocore leaves unsigned
// (expect, user-agent, x-amzn-trace-id), none of the names the signers set themselves.
const std::vector<std::string> kHeaderNames = {
    "Content-Type",  "content-length",    "Range",        "If-Match",    "If-None-Match",
    "Cache-Control", "x-amz-meta-Color",  "X-Amz-Meta-b", "x-amz-acl",   "X-AMZ-STORAGE-CLASS",
    "x-amz-tagging", "x-amz-copy-source", "X-Custom",     "content-md5", "Content-Disposition"};
const std::vector<std::pair<std::string, std::string>> kHosts = {
    {"https", "examplebucket.s3.amazonaws.com"},
    {"https", "s3.eu-central-1.amazonaws.com"},
    {"http", "minio.internal:9000"},
    {"http", "127.0.0.1:9000"}};
const std::vector<std::string> kRegions = {"us-east-1", "eu-central-1", "ap-southeast-2", "auto"};
const std::vector<std::string> kMethods = {"GET", "PUT", "POST", "DELETE", "HEAD"};
const std::vector<std::string> kPresignMethods = {"GET", "PUT", "HEAD"};
const std::vector<std::string> kGenericServices = {"execute-api", "sts", "service"};

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(int percent) { return Int(1, 100) <= percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Int(0, static_cast<int>(v.size()) - 1))];
  }
  std::string Join(const std::vector<std::string>& pieces, int lo, int hi) {
    std::string out;
    for (int i = Int(lo, hi); i > 0; --i) out += Pick(pieces);
    return out;
  }
  std::string FromAlphabet(std::string_view alphabet, int n) {
    std::string out;
    for (int i = 0; i < n; ++i)
      out.push_back(alphabet[static_cast<size_t>(Int(0, static_cast<int>(alphabet.size()) - 1))]);
    return out;
  }

  Case Make(Kind kind) {
    Case c;
    c.kind = kind;
    std::tie(c.scheme, c.host) = Pick(kHosts);
    c.request.method = Pick(kind == Kind::kPresign ? kPresignMethods : kMethods);
    c.request.path = "/bucket-" + FromAlphabet("abc123", 3);
    for (int i = Int(0, 4); i > 0; --i) c.request.path += "/" + Join(kPathPieces, 0, 6);
    std::map<std::string, int> names;  // presigning (botocore parse_qs) keeps one value a name
    for (int i = Int(0, 5); i > 0; --i) {
      std::string name = Join(kQueryPieces, 1, 4);
      if (kind != Kind::kPresign && !c.request.query.empty() && Chance(20)) {
        name = c.request.query.back().first;  // repeated name: sorted by value
      }
      if (kind == Kind::kPresign && (names[name]++ > 0 || name.starts_with("X-Amz-"))) continue;
      c.request.query.emplace_back(name, Chance(25) ? "" : Join(kQueryPieces, 1, 6));
    }
    if (kind != Kind::kPresign) {
      for (int i = Int(0, 5); i > 0; --i) {
        std::string name = Pick(kHeaderNames);
        if (Chance(30)) {  // any case: the canonical name is lower case
          for (char& ch : name)
            ch = static_cast<char>(Chance(50) ? std::toupper(ch) : std::tolower(ch));
        }
        c.request.headers.emplace_back(name, Join(kValuePieces, 0, 8));
      }
      c.body = Chance(30) ? "" : Join(kValuePieces, 1, 40);
      c.unsigned_payload = kind == Kind::kS3 && Chance(40);
      c.request.payload_hash = c.unsigned_payload ? "UNSIGNED-PAYLOAD" : Sha256Hex(c.body);
    }
    c.credentials.access_key_id = "AKIA" + FromAlphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
    c.credentials.secret_access_key =
        FromAlphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40);
    if (Chance(40)) {
      c.credentials.session_token = FromAlphabet(
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", Int(16, 200));
    }
    c.scope.region = Pick(kRegions);
    c.scope.service = kind == Kind::kGeneric ? Pick(kGenericServices) : "s3";
    // 2001..2099 at millisecond resolution; the signature keeps whole seconds.
    int64_t ms = int64_t{978307200000} +
                 std::uniform_int_distribution<int64_t>(0, int64_t{3124137599999})(rng_);
    c.scope.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
    c.expires = Int(1, 604800);
    return c;
  }

 private:
  std::mt19937_64 rng_;
};

std::string Json(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += ch;  // UTF-8 passes through
    }
  }
  return out + "\"";
}

std::string Json(const Pairs& pairs) {
  std::string out = "[";
  for (const auto& [k, v] : pairs)
    out += (out.size() > 1 ? "," : "") + ("[" + Json(k) + "," + Json(v) + "]");
  return out + "]";
}

std::string ToJsonLine(size_t id, const Case& c) {
  const char* kind = c.kind == Kind::kS3 ? "s3" : c.kind == Kind::kPresign ? "presign" : "generic";
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(c.scope.time.time_since_epoch())
                .count();
  std::ostringstream out;
  out << "{\"id\":" << id << ",\"kind\":\"" << kind << "\",\"method\":" << Json(c.request.method)
      << ",\"scheme\":" << Json(c.scheme) << ",\"host\":" << Json(c.host)
      << ",\"path\":" << Json(c.request.path) << ",\"query\":" << Json(c.request.query)
      << ",\"headers\":" << Json(c.request.headers) << ",\"body\":" << Json(c.body)
      << ",\"unsigned\":" << (c.unsigned_payload ? "true" : "false")
      << ",\"access_key\":" << Json(c.credentials.access_key_id)
      << ",\"secret_key\":" << Json(c.credentials.secret_access_key)
      << ",\"token\":" << Json(c.credentials.session_token)
      << ",\"region\":" << Json(c.scope.region) << ",\"service\":" << Json(c.scope.service)
      << ",\"epoch\":" << ms / 1000 << "." << std::setfill('0') << std::setw(3) << ms % 1000
      << ",\"expires\":" << c.expires << "}\n";
  return out.str();
}

std::string Escape(std::string_view s) {
  std::string out;
  for (char ch : s) {
    if (ch == '\\')
      out += "\\\\";
    else if (ch == '\n')
      out += "\\n";
    else
      out += ch;
  }
  return out;
}

std::vector<std::string> SortedParams(const std::string& query) {
  std::vector<std::string> params;
  std::istringstream in(query);
  std::string param;
  while (std::getline(in, param, '&')) params.push_back(param);
  std::sort(params.begin(), params.end());
  return params;
}

struct Ours {
  std::string result;  // Authorization header, or presigned query
  std::string canonical_request;
};

Ours SignOurs(const Case& c) {
  SigV4Request r = c.request;
  r.headers.emplace_back("Host", c.host);
  if (c.kind == Kind::kPresign) {
    return {
        PresignQuery(r, c.scope, c.credentials, std::chrono::seconds(c.expires)),
        CanonicalRequest(PresignRequest(r, c.scope, c.credentials, std::chrono::seconds(c.expires)),
                         PathMode::kS3)};
  }
  PathMode mode = c.kind == Kind::kS3 ? PathMode::kS3 : PathMode::kNormalize;
  if (c.kind == Kind::kS3) r.headers.emplace_back("x-amz-content-sha256", r.payload_hash);
  auto added = SignHeaders(r, c.scope, c.credentials, mode);
  // The canonical request SignHeaders signed: r plus what it handed back (less Authorization).
  SigV4Request signed_request = r;
  signed_request.headers.insert(signed_request.headers.end(), added.begin() + 1, added.end());
  return {added.front().second, CanonicalRequest(signed_request, mode)};
}

// Runs the botocore helper over `cases`; returns its lines by id ("<result>\t<escaped creq>").
std::map<size_t, std::pair<std::string, std::string>> SignWithBotocore(
    const std::vector<Case>& cases) {
  auto dir =
      std::filesystem::temp_directory_path() / ("mv_sigv4_botocore_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto in = dir / "cases.jsonl";
  auto out = dir / "signed.tsv";
  {
    std::ofstream f(in, std::ios::binary);
    for (size_t i = 0; i < cases.size(); ++i) f << ToJsonLine(i, cases[i]);
  }
  std::string command = std::string("'") + MV_PYTHON3 + "' '" + MV_BOTOCORE_SIGN_SCRIPT + "' '" +
                        in.string() + "' '" + out.string() + "'";
  int rc = std::system(command.c_str());
  std::map<size_t, std::pair<std::string, std::string>> lines;
  std::ifstream f(out, std::ios::binary);
  std::string line;
  while (rc == 0 && std::getline(f, line)) {
    if (line.starts_with("#")) {
      std::cout << "[ reference ] " << line.substr(2) << "\n";
      continue;
    }
    size_t tab1 = line.find('\t');
    size_t tab2 = line.find('\t', tab1 + 1);
    if (tab1 == std::string::npos || tab2 == std::string::npos) continue;
    lines[std::stoul(line.substr(0, tab1))] = {line.substr(tab1 + 1, tab2 - tab1 - 1),
                                               line.substr(tab2 + 1)};
  }
  std::filesystem::remove_all(dir);
  EXPECT_EQ(rc, 0)
      << "botocore helper failed: " << command
      << "\n(needs python3-botocore: apt-get install -y --no-install-recommends python3-botocore)";
  return lines;
}

void CrossCheck(Kind kind, int count, uint64_t seed) {
  Generator gen(seed);
  std::vector<Case> cases;
  cases.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) cases.push_back(gen.Make(kind));
  auto reference = SignWithBotocore(cases);
  ASSERT_EQ(reference.size(), cases.size()) << "botocore signed only part of the requests";
  int mismatches = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    Ours ours = SignOurs(cases[i]);
    const auto& [theirs, their_creq] = reference.at(i);
    // botocore writes a presigned URL's own parameters first, in the order given; ours come in
    // canonical order. The parameters, every byte of them, must be the same.
    bool same_result = cases[i].kind == Kind::kPresign
                           ? SortedParams(ours.result) == SortedParams(theirs)
                           : ours.result == theirs;
    if (same_result && Escape(ours.canonical_request) == their_creq) continue;
    if (++mismatches > 5) continue;  // the first few are enough to debug
    ADD_FAILURE() << "request " << i << " (" << ToJsonLine(i, cases[i])
                  << ")\n ours:     " << ours.result << "\n botocore: " << theirs
                  << "\n our canonical request:      " << Escape(ours.canonical_request)
                  << "\n botocore canonical request: " << their_creq;
  }
  EXPECT_EQ(mismatches, 0) << "of " << cases.size() << " requests";
}

TEST(BotocoreCrossCheck, S3AuthorizationHeaders) { CrossCheck(Kind::kS3, 400, 20240601); }

TEST(BotocoreCrossCheck, S3PresignedQueries) { CrossCheck(Kind::kPresign, 200, 20240602); }

// Generic services: botocore normalises the wire path and encodes it again, as kNormalize does.
TEST(BotocoreCrossCheck, GenericServiceAuthorizationHeaders) {
  CrossCheck(Kind::kGeneric, 150, 20240603);
}

}  // namespace
}  // namespace mv::s3
