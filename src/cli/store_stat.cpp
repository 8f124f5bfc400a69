#include <iostream>
#include <memory>

#include "cli/store_commands.h"
#include "http/http_date.h"

namespace mv::cli {
namespace {

struct StatArgs {
  std::string url;
};

int RunStat(CliContext& context, const StatArgs& args) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  auto location = context.ResolveStore(args.url, /*create=*/false);
  if (!location.ok()) return ReportError(location.status());
  auto info = location->store->Head(location->key);
  if (!info.ok()) return ReportError(info.status());
  std::cout << "store:         " << location->store->Describe() << "\n"
            << "key:           " << info->key << "\n"
            << "size:          " << info->size << "\n"
            << "etag:          " << info->etag << "\n"
            << "last-modified: " << http::FormatHttpDate(info->last_modified) << "\n";
  for (const auto& [k, v] : info->metadata) std::cout << "meta " << k << ": " << v << "\n";
  return kExitOk;
}

}  // namespace

void RegisterStoreStat(CLI::App& store, CliContext& context, int* exit_code) {
  auto args = std::make_shared<StatArgs>();
  CLI::App* cmd = store.add_subcommand("stat", "Show an object's size, ETag, time and metadata");
  cmd->add_option("URL", args->url, "Store URL of the object")->required();
  cmd->callback([args, &context, exit_code] { *exit_code = RunStat(context, *args); });
}

}  // namespace mv::cli
