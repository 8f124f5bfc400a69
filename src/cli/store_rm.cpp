#include <iostream>
#include <memory>
#include <mutex>

#include "cli/store_commands.h"
#include "util/task_group.h"

namespace mv::cli {
namespace {

struct RmArgs {
  std::string url;
  bool recursive = false;
  int concurrency = 0;
};

int RunRm(CliContext& context, const RmArgs& args) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  auto location = context.ResolveStore(args.url, /*create=*/false);
  if (!location.ok()) return ReportError(location.status());
  store::ObjectStore& store = *location->store;
  if (!args.recursive) {
    // Removing a key that does not exist succeeds in a store; say so rather than hide it.
    auto info = store.Head(location->key);
    if (!info.ok()) return ReportError(info.status());
    if (Status st = store.Delete(location->key); !st.ok()) return ReportError(st);
    std::cerr << "removed 1 object\n";
    return kExitOk;
  }
  std::string prefix = location->key;
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  // Each listing page (up to 1,000 keys: one DeleteObjects request on S3) is deleted while the
  // listing goes on, `concurrency` pages at once.
  const size_t concurrency = static_cast<size_t>(
      args.concurrency > 0 ? args.concurrency : context.config().s3.concurrency);
  ThreadPool pool({.threads = concurrency});
  TaskGroup group(pool, {.max_in_flight = concurrency, .cancel_on_failure = false});
  std::mutex mu;
  uint64_t removed = 0, failed = 0;
  Status st = store.ListAll({.prefix = prefix}, [&](const store::ListPage& page) {
    std::vector<std::string> keys;
    for (const store::ObjectInfo& obj : page.objects) keys.push_back(obj.key);
    return group.Run([&, keys = std::move(keys)] {
      std::vector<store::DeleteFailure> failures;
      store.DeleteMany(keys, &failures).IgnoreError();  // each failure is reported below
      std::lock_guard lock(mu);
      for (const store::DeleteFailure& f : failures) {
        std::cerr << "mirrorvault: failed to remove " << f.key << ": " << f.status.ToString()
                  << "\n";
      }
      removed += keys.size() - failures.size();
      failed += failures.size();
      return Status::Ok();
    });
  });
  Status waited = group.Wait();
  if (!st.ok()) return ReportError(st);
  if (!waited.ok()) return ReportError(waited);
  std::cerr << "removed " << removed << " objects"
            << (failed ? ", " + std::to_string(failed) + " failed" : "") << "\n";
  return failed == 0 ? kExitOk : kExitFailure;
}

}  // namespace

void RegisterStoreRm(CLI::App& store, CliContext& context, int* exit_code) {
  auto args = std::make_shared<RmArgs>();
  CLI::App* cmd = store.add_subcommand("rm", "Remove an object, or every object under a prefix");
  cmd->add_option("URL", args->url, "Store URL of the object (or prefix with --recursive)")
      ->required();
  cmd->add_flag("-r,--recursive", args->recursive, "Remove every object under the prefix");
  cmd->add_option("--concurrency", args->concurrency,
                  "With --recursive: delete requests at once (default: [s3] concurrency, 64)");
  cmd->callback([args, &context, exit_code] { *exit_code = RunRm(context, *args); });
}

}  // namespace mv::cli
