// `mirrorvault ls ARCHIVE@TS [PATH]`: a folder of a run (or one entry).
#include <cstdio>
#include <iostream>

#include "archive/run_view.h"
#include "cli/archive_access.h"

namespace mv::cli {
namespace {

struct LsArgs {
  std::string run;
  std::string path;
  bool long_format = false;
};

void Print(const archive::TreeEntry& e, bool long_format) {
  char type = 'f';
  std::string name = e.name;
  std::string size = std::to_string(e.size);
  switch (e.type) {
    case archive::EntryType::kFile:
      type = e.executable ? 'x' : 'f';
      break;
    case archive::EntryType::kDirectory:
      type = 'd';
      name += "/";
      break;
    case archive::EntryType::kSymlink:
      type = 'l';
      size = "-";
      name += " -> " + e.target;
      break;
  }
  if (long_format) {
    std::string hash = e.type == archive::EntryType::kFile ? archive::ToHex(e.hash) : "-";
    std::printf("%c %14s %-64s %s\n", type, size.c_str(), hash.c_str(), name.c_str());
  } else {
    std::printf("%c %14s %s\n", type, size.c_str(), name.c_str());
  }
}

int RunLs(CliContext& context, const LsArgs& args) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  Result<OpenedRun> opened = OpenRun(context, args.run);
  if (!opened.ok()) return ReportError(opened.status());
  Result<archive::TreeEntry> entry =
      archive::ResolvePath(*opened->source, opened->run.root, args.path);
  if (!entry.ok()) return ReportError(entry.status().WithContext(opened->Name()));
  if (entry->type != archive::EntryType::kDirectory) {
    Print(*entry, args.long_format);
    return kExitOk;
  }
  Result<std::vector<archive::TreeEntry>> entries =
      archive::ListDirectory(*opened->source, entry->hash);
  if (!entries.ok()) return ReportError(entries.status());
  for (const archive::TreeEntry& e : *entries) Print(e, args.long_format);
  return kExitOk;
}

}  // namespace

void RegisterLs(CLI::App& app, CliContext& context, int* exit_code) {
  auto args = std::make_shared<LsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "ls", "List a folder of a run: type (f file, x executable, d folder, l symlink), size, name");
  cmd->add_option("RUN", args->run, "ARCHIVE@TS (TS: YYYYMMDD, YYYYMMDDTHHMMSSZ, now) or ARCHIVE")
      ->required();
  cmd->add_option("PATH", args->path, "Path in the run (default: its root)");
  cmd->add_flag("-l,--long", args->long_format, "Show each file's SHA-256");
  cmd->callback([args, &context, exit_code] { *exit_code = RunLs(context, *args); });
}

}  // namespace mv::cli
