#include <ctime>
#include <iomanip>
#include <iostream>
#include <memory>

#include "cli/store_commands.h"

namespace mv::cli {
namespace {

struct LsArgs {
  std::string url;
  bool recursive = false;
};

std::string FormatTime(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

int RunLs(CliContext& context, const LsArgs& args) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  auto location = context.ResolveStore(args.url, /*create=*/false);
  if (!location.ok()) return ReportError(location.status());
  store::ListOptions options{.prefix = location->key, .delimiter = args.recursive ? "" : "/"};
  uint64_t objects = 0, bytes = 0;
  Status st = location->store->ListAll(options, [&](const store::ListPage& page) {
    // Within a page, prefixes and objects are each in key order; print them merged.
    size_t p = 0, o = 0;
    while (p < page.common_prefixes.size() || o < page.objects.size()) {
      bool take_prefix =
          o >= page.objects.size() ||
          (p < page.common_prefixes.size() && page.common_prefixes[p] < page.objects[o].key);
      if (take_prefix) {
        std::cout << "                           PRE " << page.common_prefixes[p++] << "\n";
      } else {
        const store::ObjectInfo& obj = page.objects[o++];
        std::cout << FormatTime(obj.last_modified) << " " << std::setw(14) << obj.size << " "
                  << obj.key << "\n";
        objects++;
        bytes += obj.size;
      }
    }
    return true;
  });
  if (!st.ok()) return ReportError(st);
  if (args.recursive) std::cerr << objects << " objects, " << bytes << " bytes\n";
  return kExitOk;
}

}  // namespace

void RegisterStoreLs(CLI::App& store, CliContext& context, int* exit_code) {
  auto args = std::make_shared<LsArgs>();
  CLI::App* cmd = store.add_subcommand("ls", "List objects and common prefixes under a URL");
  cmd->add_option("URL", args->url, "Store URL (or local path) and key prefix to list")->required();
  cmd->add_flag("-r,--recursive", args->recursive, "List every object under the prefix");
  cmd->callback([args, &context, exit_code] { *exit_code = RunLs(context, *args); });
}

}  // namespace mv::cli
