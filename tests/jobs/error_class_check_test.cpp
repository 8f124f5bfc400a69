// Failure classes and signatures, the job backoff, and `check`'s thresholds (pure functions).
#include <gtest/gtest.h>

#include "jobs/check.h"
#include "jobs/error_class.h"

namespace mv::jobs {
namespace {

using namespace std::chrono_literals;

TEST(Classify, TransientAndPermanentFailures) {
  struct Case {
    Status status;
    const char* name;
    bool transient;
  };
  const Case cases[] = {
      {Unavailable("GET http://h/x: HTTP 503"), "http_5xx", true},
      {Unavailable("GET http://h/x: HTTP 429 (Retry-After: 2000 ms)"), "http_429", true},
      {Unavailable("PUT s3://b/k: HTTP 503 SlowDown: reduce your request rate"), "s3_slowdown",
       true},
      {Unavailable("GET http://h/x: Connection refused"), "connection", true},
      {Unavailable("GET http://h/x: Operation timed out after 30000 ms"), "timeout", true},
      {Unavailable("archive 'a' is being written by host=x pid=1"), "lock_held", true},
      {Unavailable("catalog: database is locked"), "busy", true},
      {Corruption("pool/a.deb: SHA-256 mismatch: the index lists 00"), "hash_mismatch", false},
      {Corruption("Packages: line 3: no colon"), "malformed", false},
      {InvalidArgument("dists/x/InRelease: signature not accepted: BADSIG"), "signature", false},
      {InvalidArgument(
           "mirror a: no [[archive]] with an upstream of that name in the configuration"),
       "config", false},
      {NotFound("GET http://h/dists/x/InRelease: HTTP 404"), "not_found", false},
      {PermissionDenied("PUT s3://b/k: HTTP 403"), "permission", false},
      {Internal("boom"), "internal", false},
  };
  for (const Case& c : cases) {
    ErrorClass cls = Classify(c.status);
    EXPECT_EQ(cls.name, c.name) << c.status.ToString();
    EXPECT_EQ(cls.transient, c.transient) << c.status.ToString();
  }
  EXPECT_EQ(Classify(Unavailable("HTTP 429").WithRetryAfter(3s)).retry_after, 3000ms);
}

TEST(FailureSignature, NormalisesNumbersHashesAndQuotes) {
  const std::string a = FailureSignature(
      "hash_mismatch",
      "pool/a_1.2.deb: SHA-256 mismatch: the index lists 0123456789abcdef0123, got 'x'");
  const std::string b = FailureSignature(
      "hash_mismatch",
      "pool/a_1.3.deb: SHA-256 mismatch: the index lists fedcba9876543210fedc, got 'yy'");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.rfind("hash_mismatch: ", 0), 0u);
  EXPECT_NE(FailureSignature("http_5xx", "GET http://a/x: HTTP 503"),
            FailureSignature("http_5xx", "GET http://b/x: HTTP 503"));
}

TEST(RetryDelay, CappedExponentialWithJitterAndRetryAfter) {
  Backoff b{.base = 1s, .cap = 8s};
  for (int attempt = 1; attempt <= 10; ++attempt) {
    for (int i = 0; i < 50; ++i) {
      auto d = RetryDelay(b, attempt, 0ms);
      EXPECT_GE(d, 0ms);
      EXPECT_LE(d, std::min<std::chrono::milliseconds>(8s, 1s * (1 << std::min(attempt - 1, 10))));
    }
  }
  EXPECT_GE(RetryDelay(b, 1, 30s), 30s);
}

TEST(Check, FailedArchivesAgainstTheBaseline) {
  CheckInput in;
  in.now = std::chrono::system_clock::time_point(std::chrono::hours(1000));
  in.baseline_days = {4, 4, 5, 3, 4, 6, 4};  // median 4: warn at 6, critical at 8
  CheckThresholds t;
  in.failed_archives = 5;
  CheckResult ok = EvaluateCheck(in, t);
  EXPECT_EQ(ok.exit_code, 0) << ok.line;
  EXPECT_EQ(ok.line.rfind("MIRRORVAULT OK - 5 failed archives (baseline 4", 0), 0u) << ok.line;
  EXPECT_NE(ok.line.find("| failed_archives=5;6;8;0 baseline=4"), std::string::npos) << ok.line;
  in.failed_archives = 6;
  EXPECT_EQ(EvaluateCheck(in, t).exit_code, 1);
  in.failed_archives = 8;
  CheckResult crit = EvaluateCheck(in, t);
  EXPECT_EQ(crit.exit_code, 2);
  EXPECT_EQ(crit.line.rfind("MIRRORVAULT CRITICAL", 0), 0u);
  // No history: the floor (2) is the baseline: warn at 3, critical at 4; none failed is OK.
  in.baseline_days.clear();
  in.failed_archives = 0;
  EXPECT_EQ(EvaluateCheck(in, t).exit_code, 0);
  in.failed_archives = 3;
  EXPECT_EQ(EvaluateCheck(in, t).exit_code, 1);
  in.failed_archives = 4;
  EXPECT_EQ(EvaluateCheck(in, t).exit_code, 2);
}

TEST(Check, StaleArchives) {
  CheckInput in;
  in.now = std::chrono::system_clock::time_point(std::chrono::hours(1000));
  CheckThresholds t{.max_age = 12h, .max_age_crit = 24h};
  in.archives = {{.name = "fresh", .last_success = in.now - 1h},
                 {.name = "new", .first_seen = in.now - 1h},
                 {.name = "unknown"}};
  EXPECT_EQ(EvaluateCheck(in, t).exit_code, 0);
  in.archives.push_back({.name = "old", .last_success = in.now - 13h});
  CheckResult warn = EvaluateCheck(in, t);
  EXPECT_EQ(warn.exit_code, 1);
  EXPECT_NE(warn.line.find("1 stale: old (last success 13h ago)"), std::string::npos) << warn.line;
  in.archives.push_back({.name = "never", .first_seen = in.now - 25h});
  CheckResult crit = EvaluateCheck(in, t);
  EXPECT_EQ(crit.exit_code, 2);
  EXPECT_NE(crit.line.find("never (never successful)"), std::string::npos) << crit.line;
  EXPECT_NE(crit.line.find("stale_archives=2"), std::string::npos) << crit.line;
}

TEST(Check, MedianOfDays) {
  EXPECT_FALSE(Median({}).has_value());
  EXPECT_EQ(Median({3}), 3);
  EXPECT_EQ(Median({5, 1, 3}), 3);
  EXPECT_EQ(Median({4, 1, 3, 2}), 2);
}

}  // namespace
}  // namespace mv::jobs
