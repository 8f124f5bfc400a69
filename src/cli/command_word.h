// The subcommand word of a command line, checked before CLI11 parses it: CLI11 answers an
// unknown word with "A subcommand is required" (or, with --help after it, the top-level help and
// exit 0), which names neither the word nor what was meant.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace mv::cli {

// The message for a command line whose first word (after the global options) names no
// subcommand of `app`, with the closest subcommand when one is near; nullopt when the word is
// known, or there is none (--help, --version alone).
std::optional<std::string> UnknownCommandMessage(const CLI::App& app, int argc,
                                                 const char* const* argv);

}  // namespace mv::cli
