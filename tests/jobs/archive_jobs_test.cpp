// The import service's view of the [[archive]] sections (jobs/archive_jobs.h): kinds, schedules,
// attempts, publish targets, upstream hosts, and refusals that name the file and line.
#include "jobs/archive_jobs.h"

#include <gtest/gtest.h>

#include "support/status_assert.h"
#include "util/toml_reader.h"

namespace mv::jobs {
namespace {

using namespace std::chrono_literals;

Result<std::vector<ArchiveJobs>> Read(std::string_view toml) {
  MV_ASSIGN_OR_RETURN(ConfigValue doc, ParseToml(toml, "mv.toml"));
  return ReadArchiveJobs(doc);
}

TEST(ArchiveJobs, KindsSchedulesAttemptsTargetsAndHosts) {
  auto jobs = Read(R"(
[[archive]]
name = "debian"
upstream = "http://deb.example.org:8080/debian/"
suites = ["bookworm"]
every = "6h"
max_attempts = 3
publish = ["eu", "us"]

[[archive]]
name = "local"
tree = "/srv/mirror/local"
)");
  MV_ASSERT_OK(jobs);
  ASSERT_EQ(jobs->size(), 2u);
  const ArchiveJobs& d = (*jobs)[0];
  EXPECT_EQ(d.archive, "debian");
  EXPECT_EQ(d.kind, JobKind::kMirror);
  EXPECT_EQ(d.every, std::optional<std::chrono::milliseconds>(6h));
  EXPECT_EQ(d.max_attempts, 3);
  EXPECT_EQ(d.publish, (std::vector<std::string>{"eu", "us"}));
  EXPECT_EQ(d.host, "deb.example.org:8080");
  const ArchiveJobs& l = (*jobs)[1];
  EXPECT_EQ(l.kind, JobKind::kImport);
  EXPECT_FALSE(l.every.has_value());
  EXPECT_EQ(l.max_attempts, 5);
  EXPECT_TRUE(l.host.empty());
}

TEST(ArchiveJobs, RefusalsNameWhatAndWhere) {
  struct Case {
    const char* toml;
    const char* says;
  };
  const Case cases[] = {
      {"[[archive]]\nname = \"a\"\nupstream = \"http://h/\"\nevry = \"6h\"\n", "evry"},
      {"[[archive]]\nname = \"a\"\nupstream = \"http://h/\"\ntree = \"/x\"\n", "exactly one of"},
      {"[[archive]]\nname = \"a\"\n", "exactly one of"},
      {"[[archive]]\nname = \"a\"\nupstream = \"http://h/\"\nevery = \"soon\"\n", "every"},
      {"[[archive]]\nname = \"a\"\nupstream = \"http://h/\"\nmax_attempts = 0\n", "max_attempts"},
      {"[[archive]]\nupstream = \"http://h/\"\n", "needs a name"},
  };
  for (const Case& c : cases) {
    auto jobs = Read(c.toml);
    ASSERT_FALSE(jobs.ok()) << c.toml;
    EXPECT_EQ(jobs.status().code(), StatusCode::kInvalidArgument) << jobs.status().ToString();
    EXPECT_NE(jobs.status().message().find(c.says), std::string::npos) << jobs.status().ToString();
    EXPECT_NE(jobs.status().message().find("mv.toml"), std::string::npos)
        << jobs.status().ToString();
  }
  auto doc = ParseToml("[[archive]]\nname = \"a\"\nupstream = \"http://h/\"\n", "mv.toml");
  MV_ASSERT_OK(doc);
  EXPECT_TRUE(FindArchiveJobs(*doc, "b").status().IsNotFound());
}

}  // namespace
}  // namespace mv::jobs
