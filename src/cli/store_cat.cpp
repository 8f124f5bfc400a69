#include <unistd.h>

#include <memory>

#include "cli/store_commands.h"

namespace mv::cli {
namespace {

struct CatArgs {
  std::string url;
  std::string range;
};

int RunCat(CliContext& context, const CatArgs& args) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  auto location = context.ResolveStore(args.url, /*create=*/false);
  if (!location.ok()) return ReportError(location.status());
  store::GetOptions options;
  if (!args.range.empty()) {
    std::optional<uint64_t> size;
    if (args.range.starts_with("-")) {
      auto info = location->store->Head(location->key);
      if (!info.ok()) return ReportError(info.status());
      size = info->size;
    }
    auto range = store::ParseByteRange(args.range, size);
    if (!range.ok()) return ReportError(range.status());
    options.range = *range;
  }
  auto out = MakeFdWriter(STDOUT_FILENO, "standard output");
  Status st = location->store->Get(location->key, *out, options);
  if (!st.ok()) return ReportError(st);
  return kExitOk;
}

}  // namespace

void RegisterStoreCat(CLI::App& store, CliContext& context, int* exit_code) {
  auto args = std::make_shared<CatArgs>();
  CLI::App* cmd = store.add_subcommand("cat", "Write an object's bytes to standard output");
  cmd->add_option("URL", args->url, "Store URL of the object")->required();
  cmd->add_option("--range", args->range, "Only bytes FIRST-LAST, FIRST- or -SUFFIX_LENGTH");
  cmd->callback([args, &context, exit_code] { *exit_code = RunCat(context, *args); });
}

}  // namespace mv::cli
