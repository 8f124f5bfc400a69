#include <iostream>
#include <memory>

#include "cli/store_commands.h"

namespace mv::cli {
namespace {

struct RmArgs {
  std::string url;
  bool recursive = false;
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
  uint64_t removed = 0, failed = 0;
  Status st = store.ListAll({.prefix = prefix}, [&](const store::ListPage& page) {
    std::vector<std::string> keys;
    for (const store::ObjectInfo& obj : page.objects) keys.push_back(obj.key);
    std::vector<store::DeleteFailure> failures;
    store.DeleteMany(keys, &failures).IgnoreError();  // each failure is reported below
    for (const store::DeleteFailure& f : failures) {
      std::cerr << "mirrorvault: failed to remove " << f.key << ": " << f.status.ToString() << "\n";
    }
    removed += keys.size() - failures.size();
    failed += failures.size();
    return true;
  });
  if (!st.ok()) return ReportError(st);
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
  cmd->callback([args, &context, exit_code] { *exit_code = RunRm(context, *args); });
}

}  // namespace mv::cli
