// What the import service does for each [[archive]] of the configuration: the job kind (mirror
// an upstream, or import a local `tree`), its schedule (`every`), its attempts, and the
// [[target]]s published after each successful run.
//
//   [[archive]]
//   name = "debian"
//   upstream = "http://deb.debian.org/debian/"   # or tree = "/srv/mirror/debian" (import)
//   every = "6h"                                 # none: only run on demand (jobs run-now)
//   max_attempts = 5
//   publish = ["eu-west"]                        # names of [[target]]s
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jobs/job.h"
#include "util/config_value.h"
#include "util/status.h"

namespace mv::jobs {

// The keys of an [[archive]] section that jobs read besides the importer's
// (importer/archive_config.h): unknown-key checks take both sets.
inline constexpr std::array<std::string_view, 5> kArchiveJobKeys = {"tree", "every", "max_attempts",
                                                                    "publish", "retention"};

struct ArchiveJobs {
  std::string archive;
  JobKind kind = JobKind::kMirror;  // mirror (upstream) or import (tree)
  std::optional<std::chrono::milliseconds> every;
  int max_attempts = 5;
  std::vector<std::string> publish;
  std::string host;  // "host:port" of the upstream, for the circuit breaker; "" for a tree
};

// Every [[archive]] of `document`. InvalidArgument naming the file, line and key for a section
// with both or neither of upstream and tree, a bad duration, or attempts out of 1..100.
Result<std::vector<ArchiveJobs>> ReadArchiveJobs(const ConfigValue& document);

// The entry for `archive`; NotFound (class config) naming it when the configuration lacks it.
Result<ArchiveJobs> FindArchiveJobs(const ConfigValue& document, const std::string& archive);

}  // namespace mv::jobs
