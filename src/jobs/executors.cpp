#include "jobs/executors.h"

#include <boost/json.hpp>
#include <charconv>

#include "archive/node_source.h"
#include "importer/archive_config.h"
#include "importer/local_import.h"
#include "importer/mirror.h"
#include "jobs/archive_jobs.h"
#include "publish/publisher.h"
#include "publish/target_config.h"
#include "retention/prune.h"
#include "util/units.h"

namespace mv::jobs {
namespace {

namespace json = boost::json;

// A field of the job's JSON payload ("" when absent); InvalidArgument for a payload that is not
// a JSON object.
Result<std::string> PayloadString(const Job& job, std::string_view key) {
  boost::system::error_code ec;
  json::value v = json::parse(job.payload.empty() ? "{}" : job.payload, ec);
  if (ec || !v.is_object()) {
    return InvalidArgument("job " + std::to_string(job.id) + ": malformed payload: " + job.payload);
  }
  const json::value* field = v.as_object().if_contains(key);
  if (field == nullptr) return std::string();
  if (field->is_string()) return std::string(field->as_string());
  if (field->is_int64()) return std::to_string(field->as_int64());
  return InvalidArgument("job " + std::to_string(job.id) + ": payload field " + std::string(key) +
                         " is not a string");
}

// The jobs that follow a new run: a publish when the archive publishes anywhere, a prune when
// it has a retention policy.
std::vector<NewJob> FollowUps(const ConfigValue& config, const std::string& archive,
                              const std::string& origin) {
  std::vector<NewJob> out;
  Result<ArchiveJobs> jobs = FindArchiveJobs(config, archive);
  if (!jobs.ok()) return out;
  // No run in the payload: the publish takes the archive's latest run when it starts, so a
  // publish still waiting when the next run lands publishes that one.
  if (!jobs->publish.empty()) {
    out.push_back(NewJob{.kind = JobKind::kPublish,
                         .archive = archive,
                         .payload = "{}",
                         .max_attempts = jobs->max_attempts,
                         .origin = origin});
  }
  Result<std::vector<std::pair<std::string, retention::RetentionPolicy>>> policies =
      retention::ConfiguredRetentionPolicies(config);
  if (policies.ok()) {
    for (const auto& [name, policy] : *policies) {
      if (name != archive) continue;
      out.push_back(NewJob{.kind = JobKind::kPrune,
                           .archive = archive,
                           .payload = "{}",
                           .max_attempts = jobs->max_attempts,
                           .origin = origin});
    }
  }
  return out;
}

class MirrorExecutor final : public Executor {
 public:
  explicit MirrorExecutor(ServiceContext c) : c_(std::move(c)) {}
  Result<JobOutcome> Run(const Job& job, const std::atomic<bool>&) override {
    MV_ASSIGN_OR_RETURN(std::optional<importer::MirrorOptions> configured,
                        importer::FindArchiveConfig(*c_.config, job.archive, kArchiveJobKeys));
    if (!configured || configured->upstream.empty()) {
      return InvalidArgument("mirror " + job.archive +
                             ": no [[archive]] with an upstream of that name in the configuration");
    }
    importer::MirrorOptions options = std::move(*configured);
    options.fetch.retry.max_attempts = std::max(c_.fetch_attempts, 1);
    options.writer = "mirrorvault worker (job " + std::to_string(job.id) + ")";
    options.clock = c_.clock;
    options.package_index = c_.packages;
    MV_ASSIGN_OR_RETURN(importer::MirrorSummary s,
                        importer::MirrorUpstream(c_.store, *c_.catalog, c_.http, options));
    const std::string run = s.record.run_id.ToString();
    JobOutcome out;
    out.summary = "run " + run + ": " + std::to_string(s.record.files) + " files, " +
                  std::to_string(s.downloaded_files) + " downloaded (" +
                  FormatSizeHuman(s.downloaded_bytes) + "), " + std::to_string(s.known_files) +
                  " already stored";
    out.follow_ups =
        FollowUps(*c_.config, job.archive, "after mirror job " + std::to_string(job.id));
    return out;
  }

 private:
  ServiceContext c_;
};

class ImportExecutor final : public Executor {
 public:
  explicit ImportExecutor(ServiceContext c) : c_(std::move(c)) {}
  Result<JobOutcome> Run(const Job& job, const std::atomic<bool>&) override {
    MV_ASSIGN_OR_RETURN(std::vector<ConfigValue> sections, c_.config->Sections("archive"));
    std::string tree;
    for (const ConfigValue& section : sections) {
      const ConfigValue* name = section.Find("name");
      const ConfigValue* dir = section.Find("tree");
      if (name == nullptr || dir == nullptr) continue;
      MV_ASSIGN_OR_RETURN(std::string n, name->AsString());
      if (n == job.archive) {
        MV_ASSIGN_OR_RETURN(tree, dir->AsString());
      }
    }
    if (tree.empty()) {
      return InvalidArgument("import " + job.archive +
                             ": no [[archive]] with a tree of that name in the configuration");
    }
    importer::LocalImportOptions options{.archive = job.archive, .dir = tree};
    options.writer = "mirrorvault worker (job " + std::to_string(job.id) + ")";
    options.clock = c_.clock;
    options.package_index = c_.packages;
    MV_ASSIGN_OR_RETURN(importer::ImportSummary s,
                        importer::ImportLocalTree(c_.store, *c_.catalog, options));
    const std::string run = s.record.run_id.ToString();
    JobOutcome out;
    out.summary = "run " + run + ": " + std::to_string(s.record.files) + " files, " +
                  std::to_string(s.record.new_files) + " new (" +
                  FormatSizeHuman(s.record.new_bytes) + ")";
    out.follow_ups =
        FollowUps(*c_.config, job.archive, "after import job " + std::to_string(job.id));
    return out;
  }

 private:
  ServiceContext c_;
};

class PublishExecutor final : public Executor {
 public:
  explicit PublishExecutor(ServiceContext c) : c_(std::move(c)) {}
  Result<JobOutcome> Run(const Job& job, const std::atomic<bool>&) override {
    MV_ASSIGN_OR_RETURN(ArchiveJobs config, FindArchiveJobs(*c_.config, job.archive));
    if (config.publish.empty()) {
      return InvalidArgument("publish " + job.archive +
                             ": the [[archive]] names no publish targets");
    }
    MV_ASSIGN_OR_RETURN(std::string run_text, PayloadString(job, "run"));
    std::optional<archive::RunRow> run;
    if (run_text.empty()) {
      MV_ASSIGN_OR_RETURN(run, c_.catalog->LatestRun(job.archive));
    } else {
      MV_ASSIGN_OR_RETURN(RunId id, RunId::Parse(run_text));
      MV_ASSIGN_OR_RETURN(run, c_.catalog->GetRun(job.archive, id));
    }
    if (!run) {
      return NotFound("publish " + job.archive + ": no run " +
                      (run_text.empty() ? std::string("yet") : run_text));
    }
    std::unique_ptr<archive::NodeSource> nodes =
        archive::MakeCachedNodeSource(c_.store, c_.catalog);
    std::string summary;
    MV_ASSIGN_OR_RETURN(std::vector<archive::Sha256> withdrawn, c_.catalog->RemovedContents());
    for (const std::string& name : config.publish) {
      MV_ASSIGN_OR_RETURN(std::optional<publish::TargetConfig> target,
                          publish::FindTarget(*c_.config, name));
      if (!target) {
        return InvalidArgument("publish " + job.archive + ": no [[target]] named '" + name +
                               "' in the configuration");
      }
      MV_ASSIGN_OR_RETURN(std::shared_ptr<store::ObjectStore> store,
                          store::OpenStore(target->url, c_.store_context));
      publish::PublishOptions options;
      options.withdrawn = withdrawn;
      if (target->grace) {
        options.grace = std::chrono::duration_cast<std::chrono::seconds>(*target->grace);
      }
      Clock& clock = c_.clock != nullptr ? *c_.clock : SystemClock();
      Result<publish::PublishSummary> s =
          publish::Publish(*c_.store, *nodes, run->root, job.archive, run->run_id.ToString(),
                           *store, clock, options);
      if (!s.ok()) return s.status().WithContext("publish to " + name);
      summary += (summary.empty() ? "" : "; ") + name + ": " + std::to_string(s->uploaded) +
                 " written, " + std::to_string(s->unchanged) + " unchanged";
    }
    return JobOutcome{.summary = run->run_id.ToString() + " " + summary};
  }

 private:
  ServiceContext c_;
};

class PruneExecutor final : public Executor {
 public:
  explicit PruneExecutor(ServiceContext c) : c_(std::move(c)) {}
  Result<JobOutcome> Run(const Job& job, const std::atomic<bool>&) override {
    MV_ASSIGN_OR_RETURN(auto policies, retention::ConfiguredRetentionPolicies(*c_.config));
    auto it = std::find_if(policies.begin(), policies.end(),
                           [&](const auto& p) { return p.first == job.archive; });
    if (it == policies.end()) {
      return InvalidArgument("prune " + job.archive +
                             ": the [[archive]] has no retention policy in the configuration");
    }
    retention::DeleteOptions options{.who = "retention policy (job " + std::to_string(job.id) + ")",
                                     .reason = "retention policy",
                                     .clock = c_.clock};
    if (c_.audit) {
      options.on_deleted = [&](const archive::RunRecord& r) {
        return c_.audit(options.who, "delete-run", r.archive + "@" + r.run_id.ToString(),
                        options.reason);
      };
    }
    MV_ASSIGN_OR_RETURN(retention::PruneSummary s,
                        retention::PruneRuns(*c_.store, *c_.catalog, *c_.packages, job.archive,
                                             it->second, options));
    return JobOutcome{.summary = std::to_string(s.decisions.size() - s.deleted.size()) +
                                 " runs kept, " + std::to_string(s.deleted.size()) + " deleted" +
                                 (s.finished.empty() ? std::string()
                                                     : ", " + std::to_string(s.finished.size()) +
                                                           " deletions cut short finished")};
  }

 private:
  ServiceContext c_;
};

class NoopExecutor final : public Executor {
 public:
  explicit NoopExecutor(Clock* clock) : clock_(clock != nullptr ? *clock : SystemClock()) {}
  Result<JobOutcome> Run(const Job& job, const std::atomic<bool>&) override {
    MV_ASSIGN_OR_RETURN(std::string ms, PayloadString(job, "ms"));
    if (!ms.empty()) {
      int64_t n = 0;
      auto [end, ec] = std::from_chars(ms.data(), ms.data() + ms.size(), n);
      if (ec != std::errc() || end != ms.data() + ms.size() || n < 0) {
        return InvalidArgument("noop job " + std::to_string(job.id) + ": ms is not a count: " + ms);
      }
      clock_.SleepFor(std::chrono::milliseconds(n));
    }
    return JobOutcome{.summary = "nothing done"};
  }

 private:
  Clock& clock_;
};

}  // namespace

std::unique_ptr<Executor> MakeMirrorExecutor(ServiceContext c) {
  return std::make_unique<MirrorExecutor>(std::move(c));
}
std::unique_ptr<Executor> MakePruneExecutor(ServiceContext c) {
  return std::make_unique<PruneExecutor>(std::move(c));
}
std::unique_ptr<Executor> MakeImportExecutor(ServiceContext c) {
  return std::make_unique<ImportExecutor>(std::move(c));
}
std::unique_ptr<Executor> MakePublishExecutor(ServiceContext c) {
  return std::make_unique<PublishExecutor>(std::move(c));
}
std::unique_ptr<Executor> MakeNoopExecutor(Clock* clock) {
  return std::make_unique<NoopExecutor>(clock);
}

}  // namespace mv::jobs
