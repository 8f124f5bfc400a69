// What every subcommand shares: global flags, the loaded configuration, the store context, and
// the resolution of command-line locations (local paths or store URLs).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "store/open_store.h"
#include "store/transfer.h"
#include "util/config.h"

namespace mv::cli {

// Exit codes scripts can rely on.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the operation (or some of its objects) failed
inline constexpr int kExitUsage = 2;    // bad arguments or configuration

struct GlobalFlags {
  ConfigFlags config;
  std::string endpoint_url;  // --endpoint-url
};

class CliContext {
 public:
  explicit CliContext(GlobalFlags* flags) : flags_(flags) {}

  // Loads configuration and builds the store context; call before using the accessors.
  Status Init();
  const Config& config() const { return config_; }
  const store::StoreContext& store_context() const { return store_context_; }
  store::StoreContext& mutable_store_context() { return store_context_; }

  // A local path ("-" is not accepted here) or a store URL, as one side of a copy.
  Result<store::Endpoint> ResolveEndpoint(const std::string& arg, bool create);
  // A store URL (a local path is taken as file://<absolute path>).
  Result<store::StoreLocation> ResolveStore(const std::string& arg, bool create);

 private:
  GlobalFlags* flags_;
  Config config_;
  store::StoreContext store_context_;
};

// Prints "mirrorvault: <status>" on stderr and returns kExitFailure (kExitUsage for
// InvalidArgument).
int ReportError(const Status& status);

// Subcommand registration, one file each.
void RegisterStoreCommands(CLI::App& app, CliContext& context, int* exit_code);

}  // namespace mv::cli
