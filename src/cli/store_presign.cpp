#include <iostream>
#include <memory>

#include "cli/store_commands.h"
#include "util/units.h"

namespace mv::cli {
namespace {

struct PresignArgs {
  std::string url;
  std::string expires = "1h";
};

int RunPresign(CliContext& context, const PresignArgs& args) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  auto ttl = ParseDuration(args.expires);
  if (!ttl.ok()) return ReportError(ttl.status().WithContext("--expires"));
  auto location = context.ResolveStore(args.url, /*create=*/false);
  if (!location.ok()) return ReportError(location.status());
  auto url = location->store->PresignGet(location->key,
                                         std::chrono::duration_cast<std::chrono::seconds>(*ttl));
  if (!url.ok()) return ReportError(url.status());
  std::cout << *url << "\n";  // a bearer secret for its lifetime: printed only because asked
  return kExitOk;
}

}  // namespace

void RegisterStorePresign(CLI::App& store, CliContext& context, int* exit_code) {
  auto args = std::make_shared<PresignArgs>();
  CLI::App* cmd = store.add_subcommand(
      "presign", "Print a URL that lets anyone GET the object until it expires (S3 stores)");
  cmd->add_option("URL", args->url, "Store URL of the object")->required();
  cmd->add_option("--expires", args->expires, "Lifetime of the URL, e.g. 15m, 1h, 7d (at most 7d)");
  cmd->callback([args, &context, exit_code] { *exit_code = RunPresign(context, *args); });
}

}  // namespace mv::cli
